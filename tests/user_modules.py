"""Small user-defined torch modules for the CustomAE tests (importable, so
that estimators holding them pickle)."""

from torch import nn


class MLPEncoder(nn.Module):
    """n_features -> hidden -> n_components."""

    def __init__(self, n_features, n_components, hidden=8):
        super().__init__()
        self.hidden = nn.Linear(n_features, hidden)
        self.code = nn.Linear(hidden, n_components)

    def forward(self, x):
        return self.code(nn.functional.elu(self.hidden(x)))


class MLPDecoder(nn.Module):
    """n_components -> hidden -> n_features."""

    def __init__(self, n_components, n_features, hidden=8):
        super().__init__()
        self.hidden = nn.Linear(n_components, hidden)
        self.out = nn.Linear(hidden, n_features)

    def forward(self, code):
        return self.out(nn.functional.elu(self.hidden(code)))

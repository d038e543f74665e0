"""Reuse parameter and attribute descriptions between estimators' docstrings.

A variant of :class:`StackedAE` takes all of its parameters; rather than
copying their numpydoc descriptions (which then drift apart), its docstring
holds a placeholder that :func:`inherit_docs` fills in from the parent's
docstring.
"""


def numpydoc_entries(doc, section):
    """The entries of a numpydoc ``section`` of ``doc``, by name.

    Returns a dict mapping each name to its block of lines (the
    ``name : type`` line and its indented description), as it stands in
    ``doc``.
    """
    lines = doc.splitlines()
    try:
        start = next(i for i, line in enumerate(lines[:-1])
                     if line.strip() == section
                     and set(lines[i + 1].strip()) == {"-"})
    except StopIteration:
        raise ValueError(f"No {section!r} section in the docstring.") from None
    indent = len(lines[start]) - len(lines[start].lstrip())
    entries, name = {}, None
    body = lines[start + 2:]
    for i, line in enumerate(body):
        stripped = line.strip()
        depth = len(line) - len(line.lstrip())
        if stripped and depth == indent:
            underline = body[i + 1].strip() if i + 1 < len(body) else ""
            if underline and set(underline) == {"-"}:
                break  # the next section's title
            name = stripped.split(" : ")[0]
            entries[name] = [line]
        elif name is not None:
            entries[name].append(line)
    return {name: "\n".join(block).rstrip() for name, block in entries.items()}


def inherit_docs(parent, exclude=()):
    """Class decorator: fill ``{parent_parameters}`` and
    ``{parent_attributes}`` in the docstring with ``parent``'s entries.

    Parameters
    ----------
    parent : type
        The class whose Parameters and Attributes are reused, in its order.
    exclude : sequence of str
        Parameters and attributes the decorated class documents itself.
    """
    def decorate(cls):
        params = numpydoc_entries(parent.__doc__, "Parameters")
        attributes = numpydoc_entries(parent.__doc__, "Attributes")

        def join(entries):
            return "\n".join(block for name, block in entries.items()
                             if name not in exclude).lstrip()

        cls.__doc__ = cls.__doc__.replace(
            "{parent_parameters}", join(params)).replace(
            "{parent_attributes}", join(attributes))
        return cls
    return decorate

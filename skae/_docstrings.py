"""Assemble an estimator's docstring from one description per parameter.

Each parameter is documented once, in the docstring of the class that
introduces it (the base class for the training parameters, a private mixin
for the parameters of an architecture or a capability, the public class
for its own). :func:`assemble_docstring` gives a public class the full
numpydoc Parameters section, in the order of its ``__init__`` signature,
with the defaults written from the signature, and the Attributes of every
class it inherits from; so the texts cannot drift apart between classes.
"""

import ast
import inspect
import re

_SECTION_TITLES = ("Parameters", "Attributes")


def _lines(doc):
    return inspect.cleandoc(doc or "").splitlines()


def _section_bounds(lines, section):
    """``(start, end)`` of the body of ``section`` in ``lines`` (the lines
    after its underline, up to the next section's title), or None."""
    for i, line in enumerate(lines[:-1]):
        if line.strip() == section and set(lines[i + 1].strip()) == {"-"}:
            start = i + 2
            end = start
            while end < len(lines):
                nxt = lines[end + 1].strip() if end + 1 < len(lines) else ""
                if (lines[end].strip() and not lines[end].startswith(" ")
                        and nxt and set(nxt) == {"-"}):
                    break
                end += 1
            return start, end
    return None


def numpydoc_entries(doc, section):
    """The entries of a numpydoc ``section`` of ``doc``, by name.

    Returns a dict mapping each name to its block of lines (the
    ``name : type`` line and its indented description), without common
    indentation. An absent section gives an empty dict.
    """
    lines = _lines(doc)
    bounds = _section_bounds(lines, section)
    if bounds is None:
        return {}
    entries, name = {}, None
    for line in lines[bounds[0]:bounds[1]]:
        if line.strip() and not line.startswith(" "):
            name = line.split(" : ")[0].strip()
            entries[name] = [line]
        elif name is not None:
            entries[name].append(line)
    return {name: "\n".join(block).rstrip() for name, block in entries.items()}


def format_default(value):
    """A default value as numpydoc writes it (strings in double quotes)."""
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, float) and value != value:
        return "np.nan"  # as scikit-learn's imputers write it
    return repr(value)


def _with_default(entry, value):
    """``entry`` whose type line states ``default=value``; a documented
    default equal to the signature's (``1e-3`` for ``0.001``) is kept."""
    first, *rest = entry.split("\n")
    match = re.search(r",?\s*default=(.*)$", first)
    if match:
        try:
            if ast.literal_eval(match.group(1)) == value:
                return entry
        except (ValueError, SyntaxError):
            pass
        first = first[:match.start()]
    return "\n".join([f"{first}, default={format_default(value)}", *rest])


def _documented(cls, section):
    """Entries of ``section`` along ``cls``'s MRO, nearest class first."""
    for klass in cls.__mro__:
        if klass is object:
            continue
        yield klass, numpydoc_entries(vars(klass).get("__doc__"), section)


def assemble_docstring(cls, parameters):
    """``cls``'s docstring with full Parameters and Attributes sections.

    Parameters
    ----------
    cls : type
        The class; its own docstring must have a Parameters and an
        Attributes section (possibly empty), which are replaced.
    parameters : dict
        Parameter name -> default, in signature order.

    Returns
    -------
    doc : str

    Raises
    ------
    TypeError
        When a parameter is documented by no class of the MRO.
    """
    docs = {section: list(_documented(cls, section))
            for section in _SECTION_TITLES}
    params = []
    for name, default in parameters.items():
        entry = next((entries[name] for _, entries in docs["Parameters"]
                      if name in entries), None)
        if entry is None:
            raise TypeError(
                f"{cls.__name__}: parameter {name!r} is documented nowhere; "
                "describe it in the Parameters section of the class that "
                "introduces it.")
        params.append(entry if default is inspect.Parameter.empty
                      else _with_default(entry, default))
    # keyword arguments (``**name``) that the class itself documents
    own = dict(next(iter(docs["Parameters"]), (None, {}))[1])
    params += [entry for name, entry in own.items() if name.startswith("**")]
    attributes = {}
    for _, entries in reversed(docs["Attributes"]):
        attributes.update(entries)
    lines = _lines(cls.__doc__)
    for section, body in (("Attributes", list(attributes.values())),
                          ("Parameters", params)):
        bounds = _section_bounds(lines, section)
        if bounds is None:
            raise TypeError(
                f"{cls.__name__}'s docstring needs a {section} section "
                "(it may be empty: the entries are assembled).")
        start, end = bounds
        text = "\n".join(body).split("\n") + [""]
        lines[start:end] = text
    return "\n".join(lines).rstrip() + "\n"

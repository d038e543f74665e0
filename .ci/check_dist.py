"""Check the sdist and the wheel that ``python -m build`` wrote to DIST.

Usage: python .ci/check_dist.py DIST

Compares them with the source tree: the wheel holds every file of the
package (a data file or a module that setup.cfg's package list would miss
fails here) and nothing else; its metadata has the version that setup.cfg
reads, the dependencies and extras of ``setup.cfg``, the
license file, the README as description, ``Requires-Python`` and
classifiers; the sdist holds the package, the tests and the files a
packager needs; ``CHANGELOG.md`` starts with this version. Reads files
only (``twine check`` validates the rendering of the description).
"""

import ast
import configparser
import email.parser
import os
import re
import sys
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "skae"


def fail(message):
    sys.exit(f"check_dist: {message}")


def source_version(config):
    """The version that setup.cfg reads (``version = attr: module.name``),
    from that module's source, without importing it."""
    spec = config["metadata"]["version"].strip()
    if not spec.startswith("attr:"):
        return spec
    module, _, name = spec[len("attr:"):].strip().rpartition(".")
    path = os.path.join(ROOT, *module.split("."))
    path = (os.path.join(path, "__init__.py") if os.path.isdir(path)
            else path + ".py")
    with open(path) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and getattr(node.targets[0], "id", None) == name):
            return ast.literal_eval(node.value)
    fail(f"{path} assigns no {name} (setup.cfg: version = {spec})")


def package_files():
    """Every file of the package in the source tree, as wheel paths."""
    found = set()
    for folder, dirs, files in os.walk(os.path.join(ROOT, PACKAGE)):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if not name.endswith((".pyc", ".pyo")):
                path = os.path.join(folder, name)
                found.add(os.path.relpath(path, ROOT).replace(os.sep, "/"))
    return found


def requirements(text):
    return sorted(line.strip().replace(" ", "") for line in text.splitlines()
                  if line.strip())


def normalised(requirement):
    """A Requires-Dist line as setup.cfg spells it: specifiers sorted."""
    requirement = requirement.split(";")[0].replace(" ", "")
    match = re.match(r"([A-Za-z0-9_.\-\[\]]+)(.*)", requirement)
    name, specifiers = match[1], match[2]
    return name + ",".join(sorted(s for s in specifiers.split(",") if s))


def check_wheel(path, version, config):
    with zipfile.ZipFile(path) as wheel:
        names = set(wheel.namelist())
        info = f"{PACKAGE}-{version}.dist-info"
        metadata = email.parser.Parser().parsestr(
            wheel.read(f"{info}/METADATA").decode())
    expected = package_files()
    missing = expected - names
    if missing:
        fail(f"the wheel lacks {sorted(missing)}")
    extra = {name for name in names - expected
             if not name.startswith(f"{info}/")}
    if extra:
        fail(f"the wheel holds files from outside the package: "
             f"{sorted(extra)}")
    if f"{info}/licenses/LICENSE" not in names:
        fail("the wheel holds no LICENSE")
    checks = {
        "Name": PACKAGE,
        "Version": version,
        "Requires-Python": config["options"]["python_requires"].strip(),
        "License": config["metadata"]["license"].strip(),
        "Description-Content-Type": "text/markdown",
    }
    for field, value in checks.items():
        if metadata[field] != value:
            fail(f"the wheel's {field} is {metadata[field]!r}, not {value!r}")
    for field in ("Summary", "Author", "Keywords"):
        if not metadata[field]:
            fail(f"the wheel's metadata has no {field}")
    if not metadata.get_all("Classifier"):
        fail("the wheel's metadata has no classifiers")
    with open(os.path.join(ROOT, "README.md")) as f:
        if metadata.get_payload().strip() != f.read().strip():
            fail("the wheel's description is not README.md")
    requires = metadata.get_all("Requires-Dist") or []
    core = sorted(normalised(r) for r in requires if "extra ==" not in r)
    declared = sorted(normalised(r) for r in requirements(
        config["options"]["install_requires"]))
    if core != declared:
        fail(f"the wheel requires {core}; setup.cfg says {declared}")
    extras = set(metadata.get_all("Provides-Extra") or [])
    if extras != set(config["options.extras_require"]):
        fail(f"the wheel's extras {sorted(extras)} differ from setup.cfg's")
    return len(names), metadata


def check_sdist(path, version):
    top = f"{PACKAGE}-{version}"
    with tarfile.open(path) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames()
                 if "/" in name and name.startswith(f"{top}/")}
    needed = {"LICENSE", "README.md", "CHANGELOG.md", "setup.cfg",
              "pyproject.toml", "MANIFEST.in", "tests/conftest.py"}
    needed |= package_files()
    missing = needed - names
    if missing:
        fail(f"the sdist lacks {sorted(missing)}")
    return len(names)


def check_changelog(version):
    with open(os.path.join(ROOT, "CHANGELOG.md")) as f:
        match = re.search(r"^## +(\S+)", f.read(), re.MULTILINE)
    release = re.sub(r"\.dev\d+$", "", version)
    if not match or match[1] != release:
        fail(f"CHANGELOG.md's first entry is {match and match[1]!r}; the "
             f"version is {version} (add a '## {release}' section)")


def main(dist):
    config = configparser.ConfigParser()
    config.read(os.path.join(ROOT, "setup.cfg"))
    version = source_version(config)
    wheel = os.path.join(dist, f"{PACKAGE}-{version}-py3-none-any.whl")
    sdist = os.path.join(dist, f"{PACKAGE}-{version}.tar.gz")
    for path in (wheel, sdist):
        if not os.path.exists(path):
            fail(f"{path} was not built (version {version})")
    n_wheel, metadata = check_wheel(wheel, version, config)
    n_sdist = check_sdist(sdist, version)
    check_changelog(version)
    print(f"check_dist: {os.path.basename(wheel)} "
          f"({os.path.getsize(wheel) / 1024:.0f} KiB, {n_wheel} files) and "
          f"{os.path.basename(sdist)} ({os.path.getsize(sdist) / 1024:.0f} "
          f"KiB, {n_sdist} files) are complete; metadata: "
          f"{len(metadata.get_all('Requires-Dist'))} requirements, "
          f"{len(metadata.get_all('Provides-Extra'))} extras, "
          f"{len(metadata.get_all('Classifier'))} classifiers, "
          f"{len(metadata.get_all('Project-URL') or [])} project URLs")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])

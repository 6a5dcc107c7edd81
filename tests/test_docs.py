"""The plugin author docs stay true to the code.

- ``docs/hooks.md`` has one section per hook specification in ``timeline/hookspecs.py``
  (and none for a hook that does not exist), each with the hook's exact signature
  (from :func:`inspect.signature`), when it is called, what it returns and an
  example; every field of the records the hooks return is described.
- Every hook has an end-to-end test: a test named ``test_hook_<hook>...`` whose code
  (or a module-level string it uses) implements the hook.
- The tutorial in ``docs/plugins.md`` is the example plugin in
  ``examples/timeline-mermaid`` file for file, byte for byte, and the README shows
  its hook as it is.
- Every Python block in the two guides compiles, and the environment variables the
  plugin loader reads are documented.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from timeline import hookspecs, plugins

ROOT = Path(__file__).resolve().parents[1]
HOOKS_MD = ROOT / "docs" / "hooks.md"
PLUGINS_MD = ROOT / "docs" / "plugins.md"
README = ROOT / "README.md"
EXAMPLE = ROOT / "examples" / "timeline-mermaid"
TESTS = Path(__file__).resolve().parent


def hook_specs() -> dict[str, Callable[..., Any]]:
    """Every function marked as a hook specification, by name."""
    return {name: f for name, f in vars(hookspecs).items()
            if callable(f) and getattr(f, "timeline_spec", None) is not None}


HOOKS = sorted(hook_specs())


def sections(text: str, level: str) -> dict[str, str]:
    """Heading text -> the text under it, for headings of exactly ``level`` (``"##"``)."""
    parts = re.split(rf"^{level} (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def declared(function: Callable[..., Any]) -> str:
    """``def name(params) -> return:`` as the code declares it (annotations are strings
    under ``from __future__ import annotations``)."""
    signature = inspect.signature(function)
    params = []
    for p in signature.parameters.values():
        text = p.name if p.annotation is p.empty else f"{p.name}: {p.annotation}"
        params.append(text if p.default is p.empty else f"{text} = {p.default!r}")
    returns = ("" if signature.return_annotation is signature.empty
               else f" -> {signature.return_annotation}")
    return f"def {function.__name__}({', '.join(params)}){returns}:"


def code_blocks(text: str, lang: str = "python") -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```$", text, flags=re.M | re.S)


def test_there_are_hooks_to_check() -> None:
    assert HOOKS == ["timeline_exporters", "timeline_importers"]
    assert HOOKS == sorted(plugins.Plugins(None)._known_hooks())  # type: ignore[arg-type]


def test_every_hook_has_a_section_in_the_reference_and_no_other_hook_does() -> None:
    documented = [name for name in sections(HOOKS_MD.read_text("utf-8"), "##")
                  if name.startswith("timeline_")]
    assert sorted(documented) == HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_the_documented_signature_is_the_codes(hook: str) -> None:
    section = sections(HOOKS_MD.read_text("utf-8"), "##")[hook]
    first_block = code_blocks(section)[0]
    assert first_block.splitlines()[0] == declared(hook_specs()[hook])
    assert first_block.strip().count("\n") == 0  # the signature alone, nothing to misread


@pytest.mark.parametrize("hook", HOOKS)
def test_each_hook_says_when_it_is_called_what_it_returns_and_shows_an_example(
        hook: str) -> None:
    section = sections(HOOKS_MD.read_text("utf-8"), "##")[hook]
    for label in ("**Called**", "**Returns**", "**Example**"):
        assert label in section, f"{hook}: no {label}"
    example = code_blocks(section)[1]
    assert f"@hookimpl\ndef {hook}(" in example  # the example implements this hook
    compile(example, f"{hook} example", "exec")


@pytest.mark.parametrize("record", [hookspecs.Exporter, hookspecs.Option, hookspecs.Importer,
                                    hookspecs.ImportRow, hookspecs.Rejection])
def test_every_field_of_the_records_hooks_return_is_described(record: type) -> None:
    section = sections(HOOKS_MD.read_text("utf-8"), "###")[record.__name__]
    fields = [f.name for f in attrs.fields(record)]
    signature = f"`{record.__name__}({', '.join(_with_defaults(record))})`"
    assert signature in section
    for name in fields:
        assert re.search(rf"^- `{name}`: ", section, flags=re.M), f"{record.__name__}.{name}"


def _with_defaults(record: type) -> list[str]:
    return [f.name if f.default is attrs.NOTHING else f"{f.name}={f.default!r}"
            for f in attrs.fields(record)]


def hook_tests() -> dict[str, list[str]]:
    """Hook -> the tests named ``test_hook_<hook>...`` that implement it (their code, or
    a module-level string they use, holds ``def <hook>(``)."""
    found: dict[str, list[str]] = {hook: [] for hook in HOOKS}
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        strings = {target.id: node.value.value for node in tree.body
                   if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                   and isinstance(node.value.value, str)
                   for target in node.targets if isinstance(target, ast.Name)}
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for hook in HOOKS:
                if not node.name.startswith(f"test_hook_{hook}"):
                    continue
                code = ast.unparse(node) + "".join(
                    strings.get(n.id, "") for n in ast.walk(node) if isinstance(n, ast.Name))
                if f"def {hook}(" in code:
                    found[hook].append(f"{path.name}::{node.name}")
    return found


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_an_end_to_end_test(hook: str) -> None:
    assert hook_tests()[hook], f"no test_hook_{hook}... implements {hook}"


GUIDE_FILE = re.compile(r"^`timeline-mermaid/([^`]+)`:\n\n```\w*\n(.*?)^```$", re.M | re.S)
#: Files of the example that the guide does not show, and why.
NOT_IN_GUIDE = {"README.md"}  # the example's own readme: the guide is its readme


def test_the_guide_builds_the_example_plugin_file_for_file() -> None:
    shown = dict(GUIDE_FILE.findall(PLUGINS_MD.read_text("utf-8")))
    files = {str(p.relative_to(EXAMPLE)) for p in EXAMPLE.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts} - NOT_IN_GUIDE
    assert sorted(shown) == sorted(files)
    for name, text in shown.items():
        assert text == (EXAMPLE / name).read_text("utf-8"), name


def test_the_guide_creates_the_folders_its_files_go_in() -> None:
    guide = PLUGINS_MD.read_text("utf-8")
    made = re.search(r"^mkdir -p (.+)$", guide, flags=re.M)
    assert made is not None
    folders = set(made.group(1).split())
    for name in dict(GUIDE_FILE.findall(guide)):
        assert str(Path("timeline-mermaid", name).parent) in folders | {"timeline-mermaid"}


def test_the_readme_shows_the_example_hook_as_it_is() -> None:
    hook = (EXAMPLE / "timeline_mermaid" / "__init__.py").read_text("utf-8")
    assert f"```python\n{hook}```" in README.read_text("utf-8")


@pytest.mark.parametrize("doc", [HOOKS_MD, PLUGINS_MD], ids=lambda p: p.name)
def test_every_python_block_compiles(doc: Path) -> None:
    blocks = code_blocks(doc.read_text("utf-8"))
    assert blocks
    for n, block in enumerate(blocks):
        if block.startswith("def ") and block.strip().endswith(":"):
            block += "    ...\n"  # a signature alone
        compile(block, f"{doc.name} block {n}", "exec")


def test_the_environment_variables_are_documented() -> None:
    guide, readme = PLUGINS_MD.read_text("utf-8"), README.read_text("utf-8")
    for variable in (plugins.ENV_PLUGINS, plugins.ENV_STRICT):
        assert f"`{variable}=" in guide and f"`{variable}=" in readme
    assert "## How hooks evolve" in guide

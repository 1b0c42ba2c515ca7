"""Student and instructor versions of every notebook, from one source.

The committed notebooks are the source and the instructor's version: each
answer cell holds its solution between two marker lines (nbgrader's)::

    ### BEGIN SOLUTION
    n_frames = 1 + 30 * 22050 // 512
    ### END SOLUTION

The student version replaces each solution block with a placeholder: every
name the solution assigns becomes ``name = ...  # your answer`` (a written
answer gets empty triple quotes; names assigned on the way to the answer are
marked as optional steps), and every
function it defines keeps its signature and docstring and gets an empty body.
Markdown cells tagged ``solution`` (worked answers in words) are removed. The
outputs of answer cells and check cells are cleared, so that no solution
survives in an output. Everything else, the lecture and its figures, stays.

Notebook: all of them (``genre-lab exercises``)
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

__all__ = ["BEGIN", "END", "build_exercises", "notebook_summary", "solution_blocks", "student_source",
           "student_version"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
SOLUTION_TAG = "solution"
CHECK_CALL = re.compile(r"\bgl\.check\(\s*[\"'](\d\d\.\d+)[\"']")
_BLOCK = re.compile(rf"^([ \t]*){re.escape(BEGIN)}[^\n]*\n(.*?)^[ \t]*{re.escape(END)}[^\n]*(\n|$)", re.M | re.S)


def solution_blocks(source: str) -> list[str]:
    """The solution blocks of one cell's source, without their marker lines.

    Raises
    ------
    ValueError
        If the markers do not pair up (a BEGIN without its END).
    """
    blocks = [m.group(2) for m in _BLOCK.finditer(source)]
    if source.count(BEGIN) != len(blocks) or source.count(END) != len(blocks):
        raise ValueError(f"unpaired {BEGIN!r} / {END!r} markers in:\n{source[:300]}")
    return blocks


def _stored_names(nodes) -> list[str]:
    """Plain names a block assigns, at any depth (in loops, branches, with-blocks), in order of first appearance."""
    names: list[str] = []
    local: set[str] = set()  # a comprehension's loop variables live only inside it
    for top in nodes:
        for node in ast.walk(top):
            if isinstance(node, ast.comprehension):
                local |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in names:
                names.append(node.id)
    return [name for name in names if name not in local]


def _function_stub(node: ast.FunctionDef) -> str:
    """A function's signature (decorators, annotations) and docstring, with an empty body."""
    stub = ast.FunctionDef(name=node.name, args=node.args, body=[], decorator_list=node.decorator_list,
                           returns=node.returns, type_params=getattr(node, "type_params", []))
    first = node.body[0] if node.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        stub.body.append(first)
    stub.body.append(ast.Expr(ast.Constant(...)))
    return ast.unparse(ast.fix_missing_locations(stub)) + "  # your code here"


def _placeholder(block: str, marker_indent: str) -> str:
    """What the student gets in place of one solution block: its imports and functions' signatures kept, every name
    it assigns set to ``...`` (a written answer to empty triple quotes), the last one marked as the answer."""
    import textwrap

    first = next((ln for ln in block.splitlines() if ln.strip()), "")
    indent = first[: len(first) - len(first.lstrip())] or marker_indent
    try:
        tree = ast.parse("if True:\n" + textwrap.indent(block, "    ") if indent else block)
    except SyntaxError as err:
        raise ValueError(f"a solution block is not valid Python ({err.msg}, line {err.lineno}):\n{block}") from None
    body = tree.body[0].body if indent else tree.body
    lines = [ast.unparse(n) for n in body if isinstance(n, (ast.Import, ast.ImportFrom))]
    lines += [_function_stub(n) for n in body if isinstance(n, ast.FunctionDef)]
    names = _stored_names([n for n in body if not isinstance(n, (ast.FunctionDef, ast.Import, ast.ImportFrom))])
    written = {t.id for n in ast.walk(ast.Module(body=body, type_ignores=[])) if isinstance(n, ast.Assign)
               and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
               for t in n.targets if isinstance(t, ast.Name)}
    for name in names:
        said = "your answer" if name == names[-1] else "a step on the way, if you like"
        if name in written:  # a written answer: the student writes between the quotes
            lines.append(f'{name} = """..."""  # {said}: replace ... with your sentences')
        else:
            lines.append(f"{name} = ...  # {said}")
    if not names and not any(isinstance(n, ast.FunctionDef) for n in body):
        raise ValueError(f"a solution block assigns no name and defines no function:\n{block}")
    return "".join(f"{indent}{line}\n" for chunk in lines for line in chunk.splitlines())


def student_source(source: str) -> str:
    """One cell's source with each solution block replaced by its placeholder."""
    solution_blocks(source)  # the markers pair up
    return _BLOCK.sub(lambda m: _placeholder(m.group(2), m.group(1)), source)


def _is_exercise_cell(cell) -> bool:
    return cell.cell_type == "code" and (BEGIN in cell.source or CHECK_CALL.search(cell.source) is not None)


def notebook_summary(nb, name: str) -> dict:
    """``{"notebook", "exercises", "checks"}``: how many answer cells (solution blocks) and check calls."""
    blocks = sum(len(solution_blocks(c.source)) for c in nb.cells if c.cell_type == "code")
    checks = sum(len(CHECK_CALL.findall(c.source)) for c in nb.cells if c.cell_type == "code")
    return {"notebook": name, "exercises": blocks, "checks": checks}


def student_version(nb):
    """The student's copy of one notebook (a new object; ``nb`` is not changed)."""
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if SOLUTION_TAG not in c.metadata.get("tags", [])]
    for cell in out.cells:
        if _is_exercise_cell(cell):
            cell.source = student_source(cell.source)
            cell.outputs = []
            cell.execution_count = None
    return out


def build_exercises(folder=None, out=None) -> list[dict]:
    """Write the student and the instructor version of every numbered notebook.

    Parameters
    ----------
    folder : str or Path or None
        The source notebooks (default: ``notebooks/`` of the checkout).
    out : str or Path or None
        Where to write them: ``out/student/`` and ``out/instructor/`` (default: ``build/``).

    Returns
    -------
    list of dict
        Per notebook: ``notebook``, ``exercises`` (answer cells), ``checks`` (check calls).

    Notebook: all of them (``genre-lab exercises``, ``python3 tasks.py run``)
    """
    import nbformat

    from ..notebooks import _repo, notebook_paths

    paths = notebook_paths(folder)
    out = Path(out) if out is not None else _repo() / "build"
    for version in ("student", "instructor"):
        (out / version).mkdir(parents=True, exist_ok=True)
    summaries = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        summaries.append(notebook_summary(nb, path.name))
        nbformat.write(nb, out / "instructor" / path.name)
        nbformat.write(student_version(nb), out / "student" / path.name)
    return summaries

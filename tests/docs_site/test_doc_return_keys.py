"""Where the docs name what a module task returns, every key named is one that module returns.

README.md, the guides (docs/docsite/rst/*.rst, docs/*.md) and the modules' EXAMPLES name return keys in two
places: a comment after ``register:`` (``register: mrs_cleanup  # deleted, already_absent, counts``) and a
registered variable used later (``{{ mrs_cleanup.counts.deleted }}``). Each key named there must be in the RETURN
documentation of the task's module (plugins/modules/<module>.py; a dotted key follows ``contains``), or be one that
Ansible adds to every result; a key returned only with ``return_records`` (``returned: when O(return_records=true)``)
may be named only where the task sets ``return_records: true`` (or its ``module_defaults`` do).

No emulator: the docs are read, never run.
"""

import ast
import glob
import os
import re
import textwrap

import pytest
import yaml

from support.ansible_runs import REPO

PREFIX = "cloudjobs.cleanup."
# What Ansible itself puts in every task result, whatever the module documents.
ANSIBLE_KEYS = {"changed", "failed", "msg", "skipped", "diff", "warnings", "deprecations", "invocation"}
IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
KEY = re.compile(r"^%s(?:\.%s)*$" % (IDENTIFIER, IDENTIFIER))
REGISTER = re.compile(r"^\s*(?:-\s+)?register:\s*[\"']?(%s)[\"']?\s*#\s*(.*?)\s*$" % IDENTIFIER)


def modules():
    return sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO, "plugins", "modules", "*.py"))
                  if not os.path.basename(p).startswith("_"))


def module_strings(module):
    """DOCUMENTATION, EXAMPLES and RETURN of plugins/modules/<module>.py, read without importing it."""
    with open(os.path.join(REPO, "plugins", "modules", module + ".py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            found[node.targets[0].id] = node.value.value
    return found


def return_docs(module):
    try:
        return yaml.safe_load(module_strings(module)["RETURN"]) or {}
    except yaml.YAMLError as exc:
        pytest.fail("plugins/modules/%s.py: RETURN is not valid YAML (ansible-doc cannot show it either): %s"
                    % (module, " ".join(str(exc).split())))


def only_with_return_records(doc):
    return "return_records" in str(doc.get("returned", ""))


class Block:
    """A YAML example: where it is (``path``, the line its first line has) and its text."""

    def __init__(self, path, line, text):
        self.path, self.line, self.text = path, line, text

    def where(self, offset=0):
        return "%s:%d" % (os.path.relpath(self.path, REPO), self.line + offset)


def markdown_blocks(path, text):
    for match in re.finditer(r"^([ \t]*)```ya?ml[ \t]*\n(.*?)^[ \t]*```", text, re.M | re.S):
        yield Block(path, text.count("\n", 0, match.start(2)) + 1, textwrap.dedent(match.group(2)))


def rst_blocks(path, text):
    """``.. code-block:: yaml`` (or ``.. code:: yaml``) directives: the indented lines after their options."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        match = re.match(r"^(\s*)\.\. code(?:-block)?::\s*ya?ml\s*$", lines[i])
        i += 1
        if not match:
            continue
        indent = len(match.group(1))
        while i < len(lines) and re.match(r"^\s+:[\w-]+:", lines[i]):  # directive options (:caption: ...)
            i += 1
        start = i
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
            i += 1
        body = lines[start:i]
        while body and not body[0].strip():
            body.pop(0)
            start += 1
        yield Block(path, start + 1, textwrap.dedent("\n".join(body)))


def example_blocks(module):
    path = os.path.join(REPO, "plugins", "modules", module + ".py")
    with open(path, encoding="utf-8") as f:
        source = f.read()
    examples = module_strings(module).get("EXAMPLES") or ""
    line = source[:source.find(examples)].count("\n") + 1 if examples and examples in source else 1
    yield Block(path, line, examples)


def documents():
    """README.md, the guides and the module EXAMPLES, as YAML blocks."""
    paths = [os.path.join(REPO, "README.md")] + sorted(glob.glob(os.path.join(REPO, "docs", "*.md"))) \
        + sorted(glob.glob(os.path.join(REPO, "docs", "docsite", "rst", "*.rst")))
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        yield path, list((rst_blocks if path.endswith(".rst") else markdown_blocks)(path, text))
    for module in modules():
        path = os.path.join(REPO, "plugins", "modules", module + ".py")
        yield path, list(example_blocks(module))


class Task:
    """A task that registers a variable: its module (None unless one of this collection), whether it (or its
    module_defaults) sets return_records: true, and the block it is in."""

    def __init__(self, register, module, return_records, block):
        self.register, self.module, self.return_records, self.block = register, module, return_records, block


def action_groups():
    with open(os.path.join(REPO, "meta", "runtime.yml"), encoding="utf-8") as f:
        return yaml.safe_load(f).get("action_groups") or {}


def _defaults_return_records(defaults, module):
    """``return_records`` as the ``module_defaults`` in force give it to ``module`` (by its name or its group)."""
    groups = ["group/%s%s" % (PREFIX, group) for group, members in action_groups().items() if module in members]
    for name in [PREFIX + module, module] + groups:
        values = (defaults or {}).get(name)
        if isinstance(values, dict) and "return_records" in values:
            return values["return_records"]
    return None


def registering_tasks(data, block, defaults=None):
    """Every task under ``data`` (plays, blocks, task lists) that has ``register``, in document order."""
    if isinstance(data, list):
        for item in data:
            yield from registering_tasks(item, block, defaults)
        return
    if not isinstance(data, dict):
        return
    if isinstance(data.get("module_defaults"), dict):
        defaults = dict(defaults or {}, **data["module_defaults"])
    if "register" in data:
        names = [k for k in data if isinstance(k, str) and k.startswith(PREFIX)]
        module = names[0][len(PREFIX):] if names else None
        return_records = None
        if module is not None:
            args = data[names[0]] if isinstance(data[names[0]], dict) else {}
            return_records = args.get("return_records")
            if return_records is None:
                return_records = _defaults_return_records(defaults, module)
        yield Task(str(data["register"]), module, return_records is True, block)
    for key in ("tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always"):
        if key in data:
            yield from registering_tasks(data[key], block, defaults)


def parse_key_comment(comment):
    """The keys a ``register:`` comment names: a list such as ``deleted, already_absent and counts`` (backticks
    allowed), or the backticked names in any other comment; [] for a comment that names none."""
    text = re.sub(r"\([^)]*\)", "", comment).replace("`", "")
    tokens = [t.strip() for t in re.split(r",|;|\band\b", text) if t.strip()]
    if tokens and all(KEY.match(t) for t in tokens):
        return tokens
    return re.findall(r"`(%s(?:\.%s)*)`" % (IDENTIFIER, IDENTIFIER), comment)


def check_key(module, key, return_records):
    """None if ``module`` returns ``key`` (dotted: through ``contains``) where the task is, else why not."""
    parts = key.split(".")
    docs = return_docs(module)
    if parts[0] in ANSIBLE_KEYS and parts[0] not in docs:
        return None
    if parts[0] not in docs:
        return "%s does not return %s (RETURN: %s)" % (module, parts[0], ", ".join(docs))
    doc = docs[parts[0]]
    if only_with_return_records(doc) and not return_records:
        return "%s returns %s only %s, and this task does not set return_records: true" % (
            module, parts[0], doc.get("returned"))
    for part in parts[1:]:
        contains = doc.get("contains") or {}
        if not contains:
            return None  # a list of ids, a dict of counts without documented members: nothing more to check
        if part not in contains:
            return "%s: %s has no %s (contains: %s)" % (module, key, part, ", ".join(contains))
        doc = contains[part]
    return None


def mentions(blocks):
    """Every place a block names a return key of a registering task: ``(where, module, key, return_records)``.

    Raises AssertionError for a block that names keys but is not YAML, or whose register comment cannot be paired
    with a task."""
    found = []
    registered = {}  # variable -> the last cloudjobs task that registered it, in this document
    for block in blocks:
        comments = []
        for offset, line in enumerate(block.text.split("\n")):
            match = REGISTER.match(line)
            if match and parse_key_comment(match.group(2)):
                comments.append((offset, match.group(1), parse_key_comment(match.group(2))))
        try:
            data = yaml.safe_load(block.text)
        except yaml.YAMLError as exc:
            assert not comments, "%s: a YAML example that names return keys does not parse: %s" % (block.where(), exc)
            continue
        tasks = list(registering_tasks(data, block))
        queue = {}
        for task in tasks:
            queue.setdefault(task.register, []).append(task)
        for offset, variable, keys in comments:
            assert queue.get(variable), "%s: no task registers %s" % (block.where(offset), variable)
            task = queue[variable].pop(0)  # the n-th `register: x` line is the n-th task registering x
            if task.module is not None:
                found += [(block.where(offset), task.module, key, task.return_records) for key in keys]
        for task in tasks:
            if task.module is not None:
                registered[task.register] = task
            else:
                registered.pop(task.register, None)
        for offset, line in enumerate(block.text.split("\n")):
            for variable, task in registered.items():
                pattern = r"(?<![\w.])%s(?:\.(%s(?:\.%s)*)|\[['\"](%s)['\"]\])" % (
                    re.escape(variable), IDENTIFIER, IDENTIFIER, IDENTIFIER)
                for match in re.finditer(pattern, line):
                    key = match.group(1) or match.group(2)
                    found.append((block.where(offset), task.module, key, task.return_records))
    return found


def problems(blocks):
    out = []
    for where, module, key, return_records in mentions(blocks):
        if module not in modules():
            out.append("%s: %s is not a module of this collection" % (where, PREFIX + module))
            continue
        why = check_key(module, key, return_records)
        if why:
            out.append("%s: %s" % (where, why))
    return out


def test_every_return_key_the_docs_name_is_returned_there():
    named = []
    failures = []
    for dummy, blocks in documents():
        named += mentions(blocks)
        failures += problems(blocks)
    # The README's quick start annotates all six modules' register lines: the scan must see them.
    readme = [m for m in named if m[0].startswith("README.md:")]
    assert {mention[1] for mention in readme} == set(modules()), readme
    assert not failures, "\n".join(failures)


def _readme_block(comment, extra_args=""):
    text = ("- name: Delete finished Tencent Batch render jobs\n"
            "  cloudjobs.cleanup.tencent_batch_job:\n"
            "    region: ap-guangzhou\n%s"
            "  register: batch_cleanup      # %s\n" % (extra_args, comment))
    return [Block(os.path.join(REPO, "README.md"), 1, text)]


def test_the_old_quick_start_comment_fails():
    """The comment the README had: ``jobs`` without ``return_records: true``."""
    failures = problems(_readme_block("deleted, already_absent, not_deleted, jobs"))
    assert len(failures) == 1 and "only when O(return_records=true)" in failures[0], failures
    assert "tencent_batch_job returns jobs" in failures[0]


@pytest.mark.parametrize("comment, extra_args, expected", [
    ("deleted, already_absent, not_deleted, kept, counts", "", []),
    ("deleted, jobs", "    return_records: true\n", []),
    ("`deleted` and `counts.deleted`", "", []),
    ("deleted, not_deleted.reason", "", []),
    ("deleted, not_deleted.cause", "", ["not_deleted.cause"]),
    ("deleted, job_executions", "", ["does not return job_executions"]),
    ("the ids it deleted", "", []),  # prose names no key
])
def test_register_comments_are_checked(comment, extra_args, expected):
    failures = problems(_readme_block(comment, extra_args))
    assert len(failures) == len(expected), failures
    for failure, text in zip(failures, expected):
        assert text in failure


def test_registered_variables_used_later_are_checked():
    text = textwrap.dedent("""\
        - hosts: localhost
          module_defaults:
            group/cloudjobs.cleanup.huaweicloud:
              return_records: true
          tasks:
            - cloudjobs.cleanup.mrs_job_executions:
                cluster_id: c1
              register: mrs_cleanup
            - ansible.builtin.debug:
                msg: "{{ mrs_cleanup.job_executions | length }} records, {{ mrs_cleanup['counts'] }}"
            - cloudjobs.cleanup.tencent_batch_job:
              register: batch
            - ansible.builtin.debug:
                msg: "{{ batch.jobs }} {{ batch.deleted_ids }}"
        """)
    failures = problems([Block(os.path.join(REPO, "docs", "x.md"), 1, text)])
    assert len(failures) == 2, failures  # the huaweicloud group's module_defaults do not reach tencent_batch_job
    assert "docs/x.md:14" in failures[0] and "jobs only when" in failures[0]
    assert "does not return deleted_ids" in failures[1]


def test_rst_and_markdown_blocks_are_found():
    rst = textwrap.dedent("""\
        Text.

        .. code-block:: yaml
           :caption: example

           - cloudjobs.cleanup.tencent_batch_job_info:
             register: pending  # jobs

        After.
        """)
    blocks = list(rst_blocks("g.rst", rst))
    assert len(blocks) == 1 and blocks[0].line == 6 and blocks[0].text.startswith("- cloudjobs.cleanup.")
    md = "x\n\n  ```yaml\n  - a: 1\n  ```\n"
    blocks = list(markdown_blocks("g.md", md))
    assert len(blocks) == 1 and blocks[0].line == 4 and blocks[0].text == "- a: 1\n"

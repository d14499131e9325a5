"""The docs site browser check (tests/docs_site/check_site.py, run by `make docs`) catches what it claims to.

A tiny site is rendered with Chromium: a broken page link, a broken anchor and a missing stylesheet each fail it,
an anchor only the page's script creates passes (the check reads the rendered DOM, not the HTML file), and a
module page missing an option, its examples or a return value fails the module checks.
"""

import os
import subprocess
import sys

import pytest

from support.ansible_runs import REPO

CHECK = os.path.join(REPO, "tests", "docs_site", "check_site.py")
sys.path.insert(0, os.path.dirname(CHECK))
import check_site  # noqa: E402  pylint: disable=wrong-import-position

needs_chromium = pytest.mark.skipif(
    not check_site.find_browser(None),
    reason="Chromium not found: install Debian's chromium package (apt-get install -y chromium) to run it")

GOOD = """<!DOCTYPE html><html><head><link rel="stylesheet" href="style.css"></head><body>
<a href="other.html#made-by-script">to the other page</a> <a href="#here">here</a> <a href="#">top</a>
<a href="https://example.invalid/">outside</a> <h2 id="here">Here</h2></body></html>"""
OTHER = """<!DOCTYPE html><html><body><a href="index.html">back</a>
<script>var h = document.createElement('h2'); h.id = 'made-by-script'; document.body.appendChild(h);</script>
</body></html>"""


def run_check(site, *args):
    env = dict(os.environ, DOCS_SITE_BROWSER="required")
    return subprocess.run([sys.executable, CHECK, "--site", str(site), "--modules-dir", str(site / "no-modules"),
                           "--list-external"] + list(args), capture_output=True, text=True, env=env, timeout=300,
                          check=False)


@pytest.fixture
def site(tmp_path):
    (tmp_path / "no-modules").mkdir()
    (tmp_path / "index.html").write_text(GOOD)
    (tmp_path / "other.html").write_text(OTHER)
    (tmp_path / "style.css").write_text("body { color: black; }")
    return tmp_path


@needs_chromium
def test_rendered_site_passes(site):
    result = run_check(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "docs site browser check passed: 2 pages rendered by" in result.stdout
    assert "4 internal links and 1 resources resolve, 2 anchors exist" in result.stdout
    assert "external (not fetched): https://example.invalid/" in result.stdout


@needs_chromium
def test_broken_links_anchors_and_resources_fail(site):
    (site / "index.html").write_text(GOOD.replace("other.html#made-by-script", "missing.html")
                                     .replace('href="#here"', 'href="other.html#nowhere"'))
    (site / "style.css").unlink()
    result = run_check(site)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("FAILED docs site: ")]
    assert len(lines) == 3, result.stderr
    assert any("index.html: broken link missing.html (/missing.html: 404)" in line for line in lines)
    assert any("index.html: broken anchor other.html#nowhere (no id 'nowhere' in /other.html)" in line
               for line in lines)
    assert any("index.html: broken link style.css" in line for line in lines)


def test_without_chromium_skips_with_the_package_name_unless_required(site, tmp_path):
    env = dict(os.environ, PATH=str(tmp_path / "no-modules"))
    env.pop("DOCS_SITE_BROWSER", None)
    cmd = [sys.executable, CHECK, "--site", str(site)]
    skipped = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert skipped.returncode == 0 and "SKIPPED" in skipped.stdout and "apt-get install -y chromium" in skipped.stdout
    env["DOCS_SITE_BROWSER"] = "required"
    failed = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert failed.returncode == 1 and "apt-get install -y chromium" in failed.stderr


MODULE_DOC = {
    "doc": {"options": {"region": {}, "filters": {"suboptions": {"older_than": {}}}}},
    "examples": "- name: Clean up\n  cloudjobs.cleanup.some_module:\n    region: r1\n",
    "return": {"deleted": {}, "error": {"contains": {"message": {}}}},
}
MODULE_PAGE = """<html><body>
<section id="parameters"><h2>Parameters</h2><table><tr><td><div id="parameter-region"></div>region</td></tr>
<tr><td><div id="parameter-filters"></div>filters</td></tr>
<tr><td><div id="parameter-filters/older_than"></div>older_than</td></tr></table></section>
<section id="examples"><h2>Examples</h2><pre><span>- name</span>: Clean up
  <span>cloudjobs.cleanup.some_module</span>:
    region: r1</pre></section>
<section id="return-values"><h2>Return Values</h2><table><tr><td><div id="return-deleted"></div>deleted</td></tr>
<tr><td><div id="return-error"></div>error</td></tr><tr><td><div id="return-error/message"></div>message</td></tr>
</table></section></body></html>"""


def module_problems(html):
    page = check_site.Page()
    page.feed(html)
    problems = []
    check_site.check_module_page(MODULE_DOC, page, problems, "m.html")
    return problems


@pytest.mark.parametrize("change, expected", [
    (None, []),
    (("older_than</td>", "</td>"), ["m.html: option filters/older_than not shown in the Parameters section"]),
    (('<section id="parameters">', '<section id="options">'), ["m.html: no Parameters section"]),
    (("region: r1</pre>", "region: r2</pre>"), ["m.html: the Examples section does not show the module's EXAMPLES"]),
    (('<section id="examples">', "<section>"), ["m.html: no Examples section"]),
    (('<div id="return-error/message"></div>message', "msg"), [
        "m.html: return value error/message not shown in the Return Values section",
        "m.html: return value error/message has no anchor return-error/message"]),
    (('<section id="return-values">', "<section>"), ["m.html: no Return Values section"]),
], ids=["complete", "missing option", "no parameters", "other examples", "no examples", "missing return",
        "no return values"])
def test_module_page_checks(change, expected):
    html = MODULE_PAGE if change is None else MODULE_PAGE.replace(*change)
    assert module_problems(html) == expected


def test_the_checker_is_in_make_docs():
    with open(os.path.join(REPO, ".ci", "dev"), encoding="utf-8") as f:
        dev = f.read()
    docs_site = dev[dev.index("docs_site() {"):]
    docs_site = docs_site[:docs_site.index("\n}\n")]
    assert "tests/docs_site/check_site.py" in docs_site

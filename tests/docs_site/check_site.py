#!/usr/bin/env python
"""The built docs site as a person sees it: every page rendered by headless Chromium.

`make docs` (.ci/dev docs) runs this right after sphinx-build. It serves docs/_build/html over
http://127.0.0.1:<free port>, renders every HTML page with `chromium --dump-dom` (the DOM after the theme's
scripts ran) and checks, from the rendered DOM:

* every internal link (<a href>, and the stylesheets, scripts and images the page loads) resolves to a file the
  server returns, and every #anchor exists as an id (or <a name>) in the rendered target page; external links
  are listed (--list-external), not fetched;
* every module page (one per plugins/modules/*.py) shows its parameters table with every option and suboption
  name, its examples (the module's EXAMPLES text), and its return values with every returned key.

One line on success (pages, links, anchors checked); one line per problem, naming the page, on failure.
Without Chromium (Debian package `chromium`) the check is skipped with a message naming the package, unless
DOCS_SITE_BROWSER=required (set by .ci/run, which installs it), when it fails.
"""

import argparse
import concurrent.futures
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# --headless without a sandbox, GPU or any connection of its own: the network is closed, and without the
# background-networking flags Chromium's own connections are refused (and slow the page loads down).
CHROMIUM_FLAGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-default-apps', '--disable-extensions', '--mute-audio', '--disable-dev-shm-usage',
]
BROWSERS = ('chromium', 'chromium-browser', 'google-chrome')
INSTALL_HINT = "install Debian's chromium package: apt-get install -y chromium (as root)"


class Page(HTMLParser):
    """The parts of a rendered DOM the checks need: links, resources, anchors and the text of each section."""

    RESOURCE_ATTRS = {'link': 'href', 'script': 'src', 'img': 'src'}
    SKIP_TEXT = ('script', 'style')
    # Elements that do not break the text: any other tag separates the words on either side, as on screen.
    INLINE = ('a', 'abbr', 'b', 'bdi', 'cite', 'code', 'em', 'i', 'kbd', 'mark', 'q', 's', 'samp', 'small', 'span',
              'strong', 'sub', 'sup', 'u', 'var', 'wbr')

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []        # hrefs of <a>
        self.resources = []    # hrefs/srcs of <link>, <script>, <img>
        self.anchors = set()   # ids and <a name>s
        self.sections = {}     # id of a <section> -> its text (including nested sections)
        self._open = []        # stack of (tag, section id or None)
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ('id', 'name') if tag == 'a' else ('id',):
            if attrs.get(key):
                self.anchors.add(attrs[key])
        if tag == 'a' and attrs.get('href') is not None:
            self.links.append(attrs['href'])
        elif tag in self.RESOURCE_ATTRS and attrs.get(self.RESOURCE_ATTRS[tag]):
            if tag != 'link' or 'stylesheet' in (attrs.get('rel') or '') or 'icon' in (attrs.get('rel') or ''):
                self.resources.append(attrs[self.RESOURCE_ATTRS[tag]])
        if tag in self.SKIP_TEXT:
            self._skip += 1
        if tag not in self.INLINE:
            self._break()
        if tag in ('link', 'img', 'meta', 'br', 'hr', 'input', 'col', 'wbr', 'source', 'area', 'base'):
            return  # void elements: no end tag
        section = attrs.get('id') if tag == 'section' else None
        if section:
            self.sections.setdefault(section, '')
        self._open.append((tag, section))

    def handle_endtag(self, tag):
        if tag in self.SKIP_TEXT and self._skip:
            self._skip -= 1
        if tag not in self.INLINE:
            self._break()
        # Pop to the matching open tag (the DOM Chromium serializes is well formed).
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def _break(self):
        for _tag, section in self._open:
            if section:
                self.sections[section] += '\n'

    def handle_data(self, data):
        if self._skip:
            return
        for _tag, section in self._open:
            if section:
                self.sections[section] += data


def normalize(text):
    return ' '.join(text.split())


def find_browser(explicit):
    if explicit:
        return explicit if shutil.which(explicit) else None
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Chromium drops the connections of resources still loading once it has dumped the DOM.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Site:
    """docs/_build/html served on 127.0.0.1, rendered page by page with Chromium."""

    def __init__(self, root, browser, workdir, timeout):
        self.root = root
        self.browser = browser
        self.workdir = workdir
        self.timeout = timeout
        handler = functools.partial(QuietHandler, directory=root)
        self.server = QuietServer(('127.0.0.1', 0), handler)
        self.base = 'http://127.0.0.1:%d/' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._lock = threading.Lock()
        self._dom = {}
        self._status = {}
        self._profiles = 0

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def url(self, rel):
        return urllib.parse.urljoin(self.base, urllib.parse.quote(rel))

    def internal(self, url):
        return url.startswith(self.base)

    def status(self, url):
        """The HTTP status the server answers for url (without fragment): what following the link gives."""
        with self._lock:
            if url in self._status:
                return self._status[url]
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                code = response.status
        except urllib.error.HTTPError as error:
            code = error.code
        except (urllib.error.URLError, OSError) as error:
            code = str(error)
        with self._lock:
            self._status[url] = code
        return code

    def render(self, url):
        """The DOM of url after its scripts ran, parsed; None if the page is not HTML."""
        with self._lock:
            if url in self._dom:
                return self._dom[url]
            self._profiles += 1
            profile = os.path.join(self.workdir, 'profile-%d' % self._profiles)
        os.mkdir(profile)
        cmd = [self.browser] + CHROMIUM_FLAGS + ['--user-data-dir=' + profile, '--dump-dom', url]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise RuntimeError('chromium did not render %s within %d s' % (url, self.timeout)) from None
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        if proc.returncode != 0 or '<html' not in proc.stdout[:2000].lower():
            raise RuntimeError('chromium failed to render %s (exit %d): %s' % (
                url, proc.returncode, (proc.stderr.strip().splitlines() or ['no output'])[-1]))
        page = Page()
        page.feed(proc.stdout)
        page.close()
        with self._lock:
            self._dom[url] = page
        return page


def module_docs(modules_dir, fqcn_prefix):
    """ansible-doc's view (doc fragments merged) of every module: {short name: {'doc', 'examples', 'return'}}."""
    names = sorted(os.path.splitext(f)[0] for f in os.listdir(modules_dir)
                   if f.endswith('.py') and not f.startswith('_'))
    if not names:
        return {}
    out = subprocess.run(['ansible-doc', '--json', '-t', 'module'] + [fqcn_prefix + n for n in names],
                         capture_output=True, text=True, check=True)
    docs = json.loads(out.stdout)
    return {name: docs[fqcn_prefix + name] for name in names}


def option_names(options, prefix=''):
    """Every option and suboption, as (path, name)."""
    for name, spec in sorted((options or {}).items()):
        yield prefix + name, name
        yield from option_names(spec.get('suboptions'), prefix + name + '/')


def return_names(returns, prefix=''):
    for name, spec in sorted((returns or {}).items()):
        yield prefix + name, name
        yield from return_names(spec.get('contains') if isinstance(spec, dict) else None, prefix + name + '/')


def word_in(word, text):
    return re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(word), text) is not None


def check_module_page(doc, page, problems, where):
    """Parameters (every option and suboption), examples (the EXAMPLES text) and return values (every key)."""
    params = page.sections.get('parameters')
    if params is None:
        problems.append('%s: no Parameters section' % where)
    else:
        for path, option in option_names(doc['doc'].get('options')):
            if not word_in(option, params):
                problems.append('%s: option %s not shown in the Parameters section' % (where, path))
            if 'parameter-' + path not in page.anchors:
                problems.append('%s: option %s has no anchor parameter-%s' % (where, path, path))
    examples = page.sections.get('examples')
    want = normalize(doc.get('examples') or '')
    if examples is None:
        problems.append('%s: no Examples section' % where)
    elif not want:
        problems.append('%s: the module documents no EXAMPLES' % where)
    elif want not in normalize(examples):
        problems.append('%s: the Examples section does not show the module\'s EXAMPLES' % where)
    returns = page.sections.get('return-values')
    if returns is None:
        problems.append('%s: no Return Values section' % where)
    else:
        for path, key in return_names(doc.get('return')):
            if not word_in(key, returns):
                problems.append('%s: return value %s not shown in the Return Values section' % (where, path))
            if 'return-' + path not in page.anchors:
                problems.append('%s: return value %s has no anchor return-%s' % (where, path, path))
    return len(list(option_names(doc['doc'].get('options')))), len(list(return_names(doc.get('return'))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--site', default=os.path.join(REPO, 'docs', '_build', 'html'))
    parser.add_argument('--modules-dir', default=os.path.join(REPO, 'plugins', 'modules'),
                        help='the modules whose pages must show their options, examples and return values')
    parser.add_argument('--browser', help='the Chromium executable (default: chromium on PATH)')
    parser.add_argument('--jobs', type=int, default=2, help='pages rendered at once (default 2)')
    parser.add_argument('--timeout', type=int, default=60, help='seconds per page (default 60)')
    parser.add_argument('--list-external', action='store_true', help='print the external links (not fetched)')
    args = parser.parse_args(argv)

    browser = find_browser(args.browser)
    if not browser:
        message = 'docs site browser check: Chromium not found; %s' % INSTALL_HINT
        if os.environ.get('DOCS_SITE_BROWSER') == 'required':
            print('FAILED ' + message, file=sys.stderr)
            return 1
        print('SKIPPED ' + message + ' to render the built site')
        return 0
    if not os.path.isfile(os.path.join(args.site, 'index.html')):
        print('FAILED docs site browser check: %s/index.html does not exist; build the site first (make docs)'
              % args.site, file=sys.stderr)
        return 1

    import yaml  # pylint: disable=import-outside-toplevel
    with open(os.path.join(REPO, 'galaxy.yml'), encoding='utf-8') as f:
        galaxy = yaml.safe_load(f)
    ns, name = galaxy['namespace'], galaxy['name']
    modules = module_docs(args.modules_dir, '%s.%s.' % (ns, name))

    pages = sorted(os.path.relpath(os.path.join(d, f), args.site).replace(os.sep, '/')
                   for d, _dirs, files in os.walk(args.site) for f in files if f.endswith('.html'))
    module_pages = {m: 'collections/%s/%s/%s_module.html' % (ns, name, m) for m in modules}
    problems = []
    for module, rel in sorted(module_pages.items()):
        if rel not in pages:
            problems.append('%s: no page for module %s.%s.%s' % (rel, ns, name, module))

    counts = {'links': 0, 'anchors': 0, 'resources': 0, 'options': 0, 'returns': 0}
    external = set()
    with tempfile.TemporaryDirectory(prefix='docs-site-browser.') as workdir, \
            Site(args.site, browser, workdir, args.timeout) as site:
        try:
            with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                rendered = dict(zip(pages, pool.map(site.render, [site.url(p) for p in pages])))
            for rel in pages:
                page, url = rendered[rel], site.url(rel)
                for href, kind in [(h, 'links') for h in page.links] + [(h, 'resources') for h in page.resources]:
                    target = urllib.parse.urljoin(url, href.strip())
                    scheme = urllib.parse.urlsplit(target).scheme
                    if not site.internal(target):
                        if scheme in ('http', 'https', 'mailto', 'ftp'):
                            external.add(target)
                        else:
                            problems.append('%s: link %s is neither internal nor http(s)' % (rel, href))
                        continue
                    counts[kind] += 1
                    address, _sep, fragment = target.partition('#')
                    code = site.status(address)
                    if code != 200:
                        problems.append('%s: broken link %s (%s: %s)' % (rel, href, address[len(site.base) - 1:], code))
                        continue
                    fragment = urllib.parse.unquote(fragment)
                    if not fragment or fragment == 'top':
                        continue
                    counts['anchors'] += 1
                    target_page = page if address == url else site.render(address)
                    if fragment not in target_page.anchors:
                        problems.append('%s: broken anchor %s (no id %r in %s)' % (
                            rel, href, fragment, address[len(site.base) - 1:]))
            for module, rel in sorted(module_pages.items()):
                if rel in rendered:
                    options, returns = check_module_page(modules[module], rendered[rel], problems, rel)
                    counts['options'] += options
                    counts['returns'] += returns
        except RuntimeError as error:
            problems.append(str(error))

    if args.list_external:
        for link in sorted(external):
            print('external (not fetched): ' + link)
    if problems:
        for problem in problems:
            print('FAILED docs site: ' + problem, file=sys.stderr)
        print('docs site browser check: %d problem(s) in %d pages' % (len(problems), len(pages)), file=sys.stderr)
        return 1
    print('docs site browser check passed: %d pages rendered by %s, %d internal links and %d resources resolve, '
          '%d anchors exist, %d module pages show %d options, their examples and %d return values; '
          '%d external links listed, not fetched' % (
              len(pages), os.path.basename(browser), counts['links'], counts['resources'], counts['anchors'],
              len(module_pages), counts['options'], counts['returns'], len(external)))
    return 0


if __name__ == '__main__':
    sys.exit(main())

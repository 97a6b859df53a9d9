"""A real Hexo 7 site for the publishing tests: Hexo, hexo-renderer-marked and hexo-renderer-ejs
from the npm registry, installed once into a cache folder (node and npm from Debian; .ci/run
installs them), and a minimal EJS theme that shows each post's fields in plain elements."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

# Pinned: the versions the escaping was worked out against (marked 15 underneath).
PACKAGES = {"hexo": "7.3.0", "hexo-renderer-marked": "7.0.1", "hexo-renderer-ejs": "2.0.0"}
CACHE = Path(os.environ.get("ARCHIVER_HEXO_CACHE")
             or Path.home() / ".cache" / "archiver-tests" / "hexo-7.3.0")

needs_node = pytest.mark.skipif(
    not (shutil.which("node") and shutil.which("npm")) and not os.environ.get("CI"),
    reason="no node/npm here (apt-get install nodejs npm); CI installs them and runs this test")

CONFIG = """\
title: Archive
url: http://blog.example
root: /
timezone: Asia/Shanghai
theme: mini
"""
POST = """\
<!DOCTYPE html><html><head><meta charset="utf-8"><title><%= page.title %></title></head><body>
<h1 class="title"><%= page.title %></h1>
<time class="date"><%= date(page.date, 'YYYY-MM-DD HH:mm:ss') %></time>
<ul class="tags"><% page.tags.each(function (t) { %><li><%= t.name %></li><% }) %></ul>
<ul class="categories"><% page.categories.each(function (c) { %><li><%= c.name %></li><% }) %></ul>
<div class="content"><%- page.content %></div>
</body></html>
"""
INDEX = """\
<!DOCTYPE html><html><head><meta charset="utf-8"><title>index</title></head><body><ul>
<% page.posts.each(function (p) { %><li><a href="<%- url_for(p.path) %>"><%= p.title %></a></li><% }) %>
</ul></body></html>
"""


def hexo_modules() -> Path:
    """node_modules with Hexo and the renderers, installed on first use (under a lock, so
    parallel test runs install once)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    modules = CACHE / "node_modules"
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (modules / ".bin" / "hexo").exists():
            (CACHE / "package.json").write_text(json.dumps(
                {"name": "archiver-hexo-cache", "private": True, "dependencies": PACKAGES}))
            done = subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=CACHE, capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, f"npm install failed:\n{done.stderr}"
    return modules


def make_site(folder: Path, config: str = CONFIG) -> Path:
    """A Hexo site folder (as `hexo init` would leave it, minus the default theme)."""
    modules = hexo_modules()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_config.yml").write_text(config, encoding="utf-8")
    (folder / "package.json").write_text(json.dumps(
        {"name": "blog", "private": True, "hexo": {"version": PACKAGES["hexo"]},
         "dependencies": PACKAGES}))
    (folder / "node_modules").symlink_to(modules)
    layout = folder / "themes" / "mini" / "layout"
    layout.mkdir(parents=True)
    (layout / "post.ejs").write_text(POST, encoding="utf-8")
    (layout / "index.ejs").write_text(INDEX, encoding="utf-8")
    (folder / "source" / "_posts").mkdir(parents=True)
    return folder


def generate(site: Path) -> subprocess.CompletedProcess:
    """`hexo generate`, on a machine clock in UTC (the config's timezone must do the work)."""
    env = {**os.environ, "TZ": "UTC"}
    return subprocess.run([str(site / "node_modules" / ".bin" / "hexo"), "generate"],
                          cwd=site, env=env, capture_output=True, text=True, timeout=300)


# What `hexo init` (hexo-cli 4.3.2) makes: its starter's dependencies, at the versions npm picks
# for the starter's ranges today (the README's "Publishing with Hexo" names them as tested).
STARTER_PACKAGES = {
    "hexo-cli": "4.3.2", "hexo": "7.3.0", "hexo-generator-archive": "2.0.0",
    "hexo-generator-category": "2.0.0", "hexo-generator-index": "3.0.0",
    "hexo-generator-tag": "2.0.0", "hexo-renderer-ejs": "2.0.0", "hexo-renderer-marked": "6.3.0",
    "hexo-renderer-stylus": "3.0.1", "hexo-server": "3.0.0", "hexo-theme-landscape": "1.1.0",
}
STARTER_CACHE = Path(os.environ.get("ARCHIVER_HEXO_STARTER_CACHE")
                     or Path.home() / ".cache" / "archiver-tests" / "hexo-starter-4.3.2")


def starter_modules() -> Path:
    """node_modules of a `hexo init` site, installed once into a cache (as hexo_modules)."""
    STARTER_CACHE.mkdir(parents=True, exist_ok=True)
    modules = STARTER_CACHE / "node_modules"
    with open(STARTER_CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (modules / "hexo-theme-landscape" / "package.json").exists():
            (STARTER_CACHE / "package.json").write_text(json.dumps(
                {"name": "archiver-hexo-starter-cache", "private": True,
                 "dependencies": STARTER_PACKAGES}))
            done = subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=STARTER_CACHE, capture_output=True, text=True, timeout=900)
            assert done.returncode == 0, f"npm install failed:\n{done.stderr}"
    return modules


def hexo_init(folder: Path) -> Path:
    """A site made by `hexo init` itself (hexo-cli's own starter files, its default
    _config.yml, Hello World), with the starter's packages from the cache instead of its own
    `npm install` (`--no-install`), and without git (`--no-clone`: the same files)."""
    modules = starter_modules()
    done = subprocess.run([str(modules / ".bin" / "hexo"), "init", str(folder), "--no-clone",
                           "--no-install"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    (folder / "node_modules").symlink_to(modules)
    return folder

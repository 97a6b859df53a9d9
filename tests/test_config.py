from __future__ import annotations

import pytest

from archiver.config import ConfigError, load_site, load_sites
from tests.conftest import ROOT, run_archiver, site_config, write_config


def test_shipped_configs_load_with_the_seed_front_matter_values():
    registry = load_sites(ROOT / "spiders_config")
    assert not registry.errors
    njust, nankai = registry.sites["njust"], registry.sites["nankai"]
    assert (njust.school, njust.label) == ("南京理工大学", "njust.cc")
    assert njust.tags == ("njust.cc", "njust", "南京理工大学", "南理工")
    assert njust.categories == ("njust.cc", "南京理工大学")
    assert (nankai.school, nankai.label) == ("南开大学", "nankai.info")
    assert nankai.tags == ("南开大学",)
    assert nankai.categories == ("nankai.info", "南开大学")


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"school": None}, "school", "missing"),
        ({"tags": [1, 2]}, "tags", "list of non-empty strings"),
        ({"article": {"url_pattern": "([unclosed"}}, "article.url_pattern", "regular expression"),
        ({"article": {"body": "div[[["}}, "article.body", "CSS selector"),
        ({"list": {"max_pages": 0}}, "list.max_pages", "whole number"),
        ({"list": {"paging": "sideways"}}, "list.paging", "must be one of"),
        ({"image_links": "remote"}, "image_links", "must be one of"),
        ({"headlin": ".x"}, "headlin", "unknown key"),
        ({"start_urls": ["ftp://127.0.0.1/x"]}, "start_urls", "http(s)"),
        ({"start_urls": ["http://elsewhere.example/list.htm"]}, "start_urls", "allowed_domains"),
        ({"settings": {"download_delay": 1}}, "settings.download_delay", "not a per-site setting"),
    ],
)
def test_a_broken_config_names_its_file_and_key(tmp_path, change, key, words):
    config = site_config(start_urls=["http://127.0.0.1/list.htm"])
    for name, value in change.items():
        if value is None:
            config.pop(name)
        elif isinstance(value, dict):
            config[name] = {**config[name], **value}
        else:
            config[name] = value
    path = write_config(tmp_path, config)
    with pytest.raises(ConfigError) as error:
        load_site(path)
    assert error.value.key == key
    assert str(path) in str(error.value) and words in str(error.value)


def test_bad_yaml_is_reported_and_other_sites_still_load(tmp_path):
    write_config(tmp_path, site_config("good", start_urls=["http://127.0.0.1/list.htm"]))
    (tmp_path / "broken.yaml").write_text("name: broken\ntags: [unclosed\n", encoding="utf-8")
    registry = load_sites(tmp_path)
    assert list(registry.sites) == ["good"]
    assert len(registry.errors) == 1 and "broken.yaml" in str(registry.errors[0])
    assert "not valid YAML" in str(registry.errors[0])


def test_sites_command_lists_good_sites_and_fails_on_a_broken_one(tmp_path):
    write_config(tmp_path, site_config("good", start_urls=["http://127.0.0.1/list.htm"]))
    bad = site_config("bad", start_urls=["http://127.0.0.1/list.htm"])
    bad["article"]["url_pattern"] = "(("
    write_config(tmp_path, bad)
    result = run_archiver("--config-dir", str(tmp_path), "sites")
    assert result.returncode == 2
    assert "good" in result.stdout
    assert "bad.yaml: key 'article.url_pattern'" in result.stderr


def test_scrapy_list_shows_one_spider_per_config():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    names = result.stdout.split()
    assert "njust" in names and "nankai" in names


def test_config_dir_from_the_environment_reaches_scrapy_list(tmp_path):
    import os
    import subprocess
    import sys

    write_config(tmp_path, site_config("elsewhere", start_urls=["http://127.0.0.1/list.htm"]))
    env = {**os.environ, "ARCHIVER_CONFIG_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["elsewhere"]

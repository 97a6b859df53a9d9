"""Reading site config files: from a folder or from the configs packaged in a Scrapyd egg.

Configs travel (from a colleague, a forum, a pull request), so reading one is bounded: a file
over MAX_CONFIG_BYTES is refused unread, and YAML anchors and aliases (`&a`, `*a`, which have no
use in a site config and can expand to billions of values) are refused while parsing.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from archiver.config.schema import ConfigError, SiteConfig
from archiver.config.validation import parse_site

# A site config is a few kilobytes; 256 KB leaves room for long comments and nothing more.
MAX_CONFIG_BYTES = 256 * 1024


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader without anchors and aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "YAML anchors and aliases (&name, *name) are not allowed in site "
                "configs", event.start_mark)
        return super().compose_node(parent, index)


def _one_line(error: Exception, limit: int = 300) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[:limit] + "..."


def read_yaml(path: Path | Traversable) -> Any:
    """The YAML document of a config file, bounded in size and expansion."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(path, None, f"is larger than {MAX_CONFIG_BYTES // 1024} KB, the "
                              "most a site config may be; not read")
        return yaml.load(raw.decode("utf-8"), Loader=_PlainLoader)  # noqa: S506 (safe loader)
    except yaml.YAMLError as exc:
        raise ConfigError(path, None, f"is not valid YAML: {_one_line(exc)}") from None
    except RecursionError:
        raise ConfigError(path, None, "is nested too deeply to be a site config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot be read: {_one_line(exc)}") from None


def load_site(path: Path | Traversable) -> SiteConfig:
    """Read and validate one site config file (on disk, or packaged inside an egg)."""
    return parse_site(path, read_yaml(path))


def config_files(folder: Path | str) -> list[Path | Traversable] | None:
    """The *.yaml files of a config folder, or of the packaged configs; None when missing."""
    if str(folder).startswith("package:"):
        package, _, sub = str(folder)[len("package:"):].partition("/")
        try:
            root = resources.files(package) / sub
        except ModuleNotFoundError:
            return None
        if not root.is_dir():
            return None
        return sorted((f for f in root.iterdir() if f.name.endswith((".yaml", ".yml"))),
                      key=lambda f: f.name)
    folder = Path(folder)
    return sorted(folder.glob("*.y*ml")) if folder.is_dir() else None

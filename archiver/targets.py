"""Scrapyd nodes named in scrapy.cfg, read the way scrapyd-client's `scrapyd-deploy` reads them:
`[deploy:NAME]` sections with `url` (and optionally `username`, `password`), over the values
of a plain `[deploy]` section, which is itself the target `default` when it has a `url`.
scrapy.cfg is found as Scrapy finds it (/etc/scrapy.cfg, ~/.config/scrapy.cfg,
~/.scrapy.cfg, then the closest one from the working directory up, the later winning).
Credentials: from the URL, else `username`/`password`, else ~/.netrc (archiver.scrapyd.Node).
"""

from __future__ import annotations

from scrapy.utils.conf import get_config

from archiver.scrapyd import BadNodeURL, Node


class UnknownTarget(ValueError):
    pass


def read_targets() -> dict[str, dict[str, str]]:
    """Target name -> its values (url, username, password, ...), in the file's order."""
    config = get_config()
    base = dict(config.items("deploy", raw=True)) if config.has_section("deploy") else {}
    targets = {"default": base} if base.get("url") else {}
    for section in config.sections():
        if section.startswith("deploy:"):
            targets[section[len("deploy:"):]] = {**base, **dict(config.items(section, raw=True))}
    return targets


def target_nodes(names: list[str] | None) -> list[Node]:
    """The nodes of the named targets, or of every target when `names` is empty. Raises
    UnknownTarget for a name scrapy.cfg does not define, BadNodeURL for a bad url."""
    targets = read_targets()
    unknown = [name for name in names or [] if name not in targets]
    if unknown:
        known = ", ".join(targets) or "none"
        raise UnknownTarget(f"no target {', '.join(unknown)} in scrapy.cfg (targets: {known})")
    nodes = []
    for name in names or list(targets):
        values = targets[name]
        if not values.get("url"):
            raise BadNodeURL(f"target {name} in scrapy.cfg has no url")
        nodes.append(Node.parse(values["url"], (values.get("username", ""),
                                                values.get("password", "")), target=name))
    return nodes

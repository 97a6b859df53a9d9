"""What an archive file needs so that Hexo publishes it as written, and what Hexo would break on.

Hexo reads the front matter with js-yaml 4 (YAML 1.2 core schema plus timestamps) and renders
the body with Nunjucks (tag plugins) and then hexo-renderer-marked. The body's Markdown escaping
is archiver.extract.escape; this module covers the rest:
- front matter: values any YAML reader (js-yaml, or PyYAML's YAML 1.1) could take for another
  type (`1e3`, `0o17`, `yes`, `null`, `2019-01-01`) are quoted, and the text stays readable UTF-8
  (libyaml writes emoji as `\\U0001F389` escapes; the pure-Python emitter does not);
- Nunjucks: a body holding `{{`, `{%` or `{#` gets `disableNunjucks: true` (Hexo's per-post
  switch), so Hexo neither fails on an unknown tag nor deletes the text; other posts keep the
  seed format byte for byte.
"""

from __future__ import annotations

import re

import yaml

from archiver.extract.escape import readable_bold

# Plain scalars that js-yaml 4 or YAML 1.1 read as null, a boolean, a number or a date.
_NOT_A_STRING = re.compile(
    r"""(?x)
    | ~ | null | Null | NULL
    | true | True | TRUE | false | False | FALSE
    | y | Y | yes | Yes | YES | n | N | no | No | NO | on | On | ON | off | Off | OFF
    | [-+]? (?: 0b[0-1_]+ | 0o[0-7_]+ | 0x[0-9a-fA-F_]+ )
    | [-+]? (?: [0-9][0-9_]* (?: \.[0-9_]* )? | \.[0-9_]+ ) (?: [eE][-+]?[0-9]+ )?
    | [-+]? [0-9][0-9_]* (?: :[0-5]?[0-9] )+ (?: \.[0-9_]* )?
    | [-+]? \. (?: inf|Inf|INF ) | \. (?: nan|NaN|NAN )
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2} (?: [Tt\s].* )?
    | << | =
    """)
NUNJUCKS = re.compile(r"\{[{%#]")
NUNJUCKS_OFF = "disableNunjucks"
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "'" if _NOT_A_STRING.fullmatch(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _Dumper(yaml.SafeDumper):
    """Pure-Python emitter: writes characters outside the BMP (emoji) as themselves."""


class _FastDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's emitter, for the usual text without such characters."""


for _dumper in (_Dumper, _FastDumper):
    _dumper.add_representer(str, _represent_str)


def dump_front_matter(metadata: dict) -> str:
    """The YAML between the `---` lines, in the given key order, without a trailing newline."""
    dumper = _Dumper if any(isinstance(v, str) and _ASTRAL.search(v) for v in _strings(metadata)) \
        else _FastDumper
    return yaml.dump(metadata, Dumper=dumper, default_flow_style=False, allow_unicode=True,
                     sort_keys=False).strip()


def _strings(metadata: dict) -> list[str]:
    out: list[str] = []
    for value in metadata.values():
        out.extend(value if isinstance(value, list) else [value])
    return out


def needs_nunjucks_off(body: str) -> bool:
    return NUNJUCKS.search(body) is not None


def post_text(metadata: dict, body: str) -> str:
    """An archive file: front matter (plus Hexo's Nunjucks switch when the body needs it) and the
    Markdown body."""
    if needs_nunjucks_off(body):
        metadata = {**metadata, NUNJUCKS_OFF: True}
    return f"---\n{dump_front_matter(metadata)}\n---\n\n{body}\n"


_ESCAPED_ASTRAL = re.compile(r"\\U000[1-9a-fA-F][0-9a-fA-F]{4}|\\U0010[0-9a-fA-F]{4}")
_UNQUOTED = re.compile(r"^(?:[\w-]+:|-)[ \t]+(?P<value>[^'\"\n]+?)[ \t]*$", re.M)
# A bare address with a backslash in it: marked's autolink takes the backslash into the link.
_ESCAPED_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s<>]*\\|[\w.+-]*\\_[\w.+-]*@[\w-]+\.")
_LINK = re.compile(r"\[(?:\\.|[^\]\\])*\]\([^)\s]*\)")
# Link targets, explicit autolinks and bare addresses: their characters are not text.
_ADDRESSES = re.compile(r"\]\([^)\s]*\)|(?<!\\)<[^<>\s]+>|(?:https?|ftp)://[^\s<>]*")
# A GFM table's delimiter row (| --- | :---: |): markup the archiver writes on purpose.
_TABLE_RULE = re.compile(r"^\|?(?:\s*:?-+:?\s*\|)+\s*(?::?-+:?\s*)?$", re.M)
# Text an older archiver left unescaped that marked or its smartypants would change.
_MANGLED = (
    (re.compile(r"(?<!\\)~"), "'~' (strikethrough)"),
    (re.compile(r"(?<!\\)&(?=#?[a-zA-Z0-9]+;)(?!#58;)"), "'&…;' (shown as the character)"),
    (re.compile(r"(?<!\\)[\"']|--|\.\.\."), "quotes, '--' or '...' (curled by smartypants)"),
    (re.compile(r"\n:\s"), "a line opening with ':' (a description list)"),
)


_TYPED_KEYS = ("date:", f"{NUNJUCKS_OFF}:")  # a timestamp and a boolean, rightly unquoted
_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def problems(text: str, metadata: dict, body: str) -> list[str]:
    """What Hexo would break on or mangle in an archive file (its text, and its metadata and
    body as parsed)."""
    front_match = _FRONT.match(text)
    front = front_match.group(1) if front_match else ""
    found = []
    if needs_nunjucks_off(body) and metadata.get(NUNJUCKS_OFF) is not True:
        found.append("Nunjucks syntax ({{, {% or {#) in the body without "
                     f"'{NUNJUCKS_OFF}: true': hexo generate fails or deletes the text")
    if _ESCAPED_ASTRAL.search(front):
        found.append("front matter writes characters as \\U escapes (unreadable)")
    for match in _UNQUOTED.finditer(front):
        value = match.group("value")
        if _NOT_A_STRING.fullmatch(value) and not match.group(0).startswith(_TYPED_KEYS):
            found.append(f"front matter value {value!r} is not quoted: Hexo reads it as a "
                         "number, boolean, null or date")
    blocks = [b for b in body.split("\n\n")
              if b.strip() and not b.startswith(("![", "[转入文章首发地址]"))]
    if any(_ESCAPED_ADDRESS.search(_LINK.sub(" ", b)) for b in blocks):
        found.append("an address holds a Markdown escape: its link would point elsewhere")
    if any(readable_bold(line) != line for b in blocks for line in b.split("\n")):
        found.append("bold that Hexo would show as asterisks (write it as <strong>…</strong>)")
    plain = _TABLE_RULE.sub("", "\n\n".join(_ADDRESSES.sub(" ", b) for b in blocks))
    for pattern, what in _MANGLED:
        if pattern.search(plain):
            found.append(f"unescaped Markdown that Hexo would change: {what}")
    return found

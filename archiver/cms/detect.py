"""Which CMS family made a page, from markers in its HTML."""

from __future__ import annotations

import re

# Markers seen in the corpus pages of each family. Several per family: a custom template may
# drop one, rarely all. Checked on the raw text: cheap, no parsing.
_MARKERS: dict[str, tuple[re.Pattern[str], ...]] = {
    "webplus": tuple(re.compile(p) for p in (
        r"sudy-wp-siteId", r"portletmode=", r"wp_articlecontent", r"/_upload/article/",
        r"wp_paging", r"frag=\"窗口",
    )),
    "vsb": tuple(re.compile(p) for p in (
        r"Visual SiteBuilder", r"vsb_content", r"_showDynClicks", r"/system/resource/js/",
        r"pb_sys_common", r"v_news_content",
    )),
    "ecms": tuple(re.compile(p) for p in (
        r"ecms sync check", r"id=\"txt\"", r"/system/count/", r"count_page_list_",
        r"cms_block_span",
    )),
}


def detect_family(html: str) -> str | None:
    """The family with the most markers on the page (at least two), or None."""
    head = html[:400_000]
    scores = {family: sum(1 for m in markers if m.search(head))
              for family, markers in _MARKERS.items()}
    family, score = max(scores.items(), key=lambda kv: kv[1])
    return family if score >= 2 else None

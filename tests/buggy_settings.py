"""The archiver's settings plus a pipeline with a bug, to see how a run reports an unexpected
error (used through SCRAPY_SETTINGS_MODULE by tests/test_run_outcome.py)."""

from archiver.settings import *  # noqa: F403
from archiver.settings import ITEM_PIPELINES

ITEM_PIPELINES = {**ITEM_PIPELINES, "tests.buggy_settings.BuggyPipeline": 150}


class BuggyPipeline:
    def process_item(self, item):
        if item.headline.endswith("1"):
            raise ZeroDivisionError("division by zero")
        return item

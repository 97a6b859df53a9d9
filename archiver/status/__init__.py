"""`archiver status`: the archive's state at a glance, read from its records on disk only
(records: the readers; collect: the data; text and html: how it is shown)."""

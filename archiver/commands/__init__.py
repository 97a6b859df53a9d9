"""The `archiver` subcommands, grouped by what they do."""

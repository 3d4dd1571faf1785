"""Django's makemessages, which also collects `ngettext_noop(singular, plural)` pairs: messages kept
untranslated (as an import's problems are) whose words agree with a number (metrics.ingest.problems)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=ngettext_noop:1,2"]

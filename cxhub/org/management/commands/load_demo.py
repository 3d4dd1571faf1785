import importlib

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = (
        "Create or refresh the demo company (Severny Bank): departments, users for every role, touchpoints, "
        "and (once) three customer journeys with a to-be version, research studies, barriers and operational data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (it creates users whose password is 'demo')."
        )
        parser.add_argument(
            "--small",
            action="store_true",
            help="A few hundred customers and interactions instead of 10,000 and 50,000 (tests).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the demo company's texts (names, descriptions). Default: LANGUAGE_CODE.",
        )

    def handle(self, *args, force: bool, language: str, small: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates users with the password 'demo'; it refuses to run with DEBUG off. "
                "Use --force if this really is a demo installation."
            )
        # Each app brings its own part (its `demo` module's load()), in INSTALLED_APPS order: an app's
        # demo builds on those before it, and this app imports none of them.
        loaded = []
        with translation.override(language):
            for config in apps.get_app_configs():
                if not module_has_submodule(config.module, "demo"):
                    continue
                demo = importlib.import_module(f"{config.name}.demo")
                if getattr(demo, "ATOMIC", True):
                    with transaction.atomic():
                        loaded.append(demo.load(language=language, small=small))
                else:
                    loaded.append(demo.load(language=language, small=small))
        self.stdout.write(self.style.SUCCESS(f"Demo company loaded: {', '.join(loaded)}."))

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation

from barriers.demo import load_barriers
from cxhub.org.demo import DEMO_PASSWORD, load_people_and_departments
from journeys.demo import load_touchpoints
from journeys.demo_journeys import load_journeys
from metrics.demo import load_operational_data


class Command(BaseCommand):
    help = (
        "Create or refresh the demo company (Severny Bank): departments, users for every role, touchpoints, "
        "and (once) three customer journeys with a to-be version, research studies and barriers."
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
        with transaction.atomic(), translation.override(language):
            departments = load_people_and_departments(language=language)
            touchpoints = load_touchpoints(language=language, departments=departments)
            lead = get_user_model().objects.get(username="cxlead")
            journeys = load_journeys(language=language, actor=lead)
            barriers = load_barriers(language=language, lead=lead)
        # Outside the transaction above: the imports commit their progress as they go.
        data = load_operational_data(**({"customers": 300, "interactions": 1_500, "months": 3} if small else {}))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo company loaded: {len(departments)} departments, {touchpoints} touchpoints, "
                f"{journeys} new journeys, {barriers} new barriers, "
                f"{data.get('interactions', 0)} new interactions, "
                f"users cxlead, executive, admin and head-<department> (password '{DEMO_PASSWORD}' for new users)."
            )
        )

"""One date and time format per language, everywhere (FORMAT_MODULE_PATH): pages, lists, date
inputs. "30 Nov 2026 10:28" in English, "30.11.2026 10:28" in Russian; CSV and the API use ISO 8601.
What is not set here is Django's own format for the language."""

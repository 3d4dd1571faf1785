"""What is wrong with an import file, kept so that each reader sees it in their own language
(cxhub.lib.messages): a row's problems and the file's refusal are stored as message ids and
parameters, and translated when read (DataImport.problems, DataImport.message_text)."""

from typing import Any

from cxhub.lib.messages import Message


def kept_message(message: Message) -> dict[str, Any]:
    """The fields of DataImport that keep `message`: its text, and its parameters when it has any."""
    stored = message.stored()
    extra = {key: value for key, value in stored.items() if key != "text"}
    return {"message": stored["text"], "message_params": extra if extra.get("params") or extra.get("plural") else None}


class Refused(Exception):
    """A file, or an import, refused as a whole: `message` says why, in any reader's language."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.text)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)

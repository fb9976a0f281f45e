"""Filling a benchmark's database fast: rows generated inside PostgreSQL."""

from django.db import connection
from django.db.models import Model


def insert_select(model: type[Model], template: Model, overrides: dict[str, str], source: str):
    """``INSERT INTO <model> (every column) SELECT ...``: each column from ``overrides`` (SQL
    over ``source``) or else the template row's value, prepared by its field."""
    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in overrides:
            values.append(overrides[field.column].replace("%", "%%"))  # modulo, not a param
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(getattr(template, field.attname), connection))
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} {source.replace('%', '%%')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)

"""Filling a benchmark's database: rows generated inside PostgreSQL, and its suppliers."""

from django.db import connection
from django.db.models import Model

from procur.accounts.models import Organisation
from vendors.models import Supplier


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


def bench_suppliers(organisation: Organisation, count: int, *, with_email: bool = False):
    """The organisation's ``count`` suppliers ("Supplier 00", ...), created on the first run;
    ``with_email``: each with a contact address (an invited supplier needs one)."""
    return [
        Supplier.objects.get_or_create(
            organisation=organisation,
            name=f"Supplier {n:02}",
            defaults={
                "contact_email": f"sales{n}@supplier.example" if with_email else "",
                "list_price": "2.50",
                "cost_floor": "1.50",
                "fastest_lead_time_days": 10,
                "capacity": 100000,
            },
        )[0]
        for n in range(count)
    ]

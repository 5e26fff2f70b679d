"""The floors the portal is measured against, served with the same gunicorn command line:
/hello, a bare Flask "Hello, World!", and /fortunes, a bare Flask + SQLAlchemy + Jinja page
listing 50 customers of the same database (the framework's own floor for a list page)."""
import os

import sqlalchemy as sa
from flask import Flask, render_template_string

app = Flask(__name__)
engine = sa.create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
customer = sa.table("customer", sa.column("id"), sa.column("code"), sa.column("name_zh"), sa.column("name_en"),
                    sa.column("sort_name"))

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fortunes</title></head><body>
<table><tr><th>Code</th><th>Name</th><th>English</th></tr>
{% for row in rows %}<tr><td>{{ row.code }}</td><td><a href="/c/{{ row.id }}">{{ row.name_zh or '' }}</a></td>
<td>{{ row.name_en or '' }}</td></tr>
{% endfor %}</table></body></html>"""


@app.get("/hello")
def hello():
    return "Hello, World!"


@app.get("/fortunes")
def fortunes():
    with engine.connect() as connection:
        rows = connection.execute(sa.select(customer).order_by(customer.c.sort_name, customer.c.id).limit(50)).all()
    return render_template_string(PAGE, rows=rows)

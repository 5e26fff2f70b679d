"""Rate cards (運價表): carriers' and the route department's rates per lane, equipment and charge,
kept by supervisors and agents with the pricing permission; quotes price from them (R-Q4 to R-Q6)."""
from portal.core import audit
from portal.rates import views
from portal.rates.models import ImportState, RateSource, RateState
from portal.rates.views import bp


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(RateSource=RateSource, RateState=RateState, ImportState=ImportState,
                                 weekday_name=views.weekday_name, rate_state=views.rate_state)
    audit.describe_values(app, "source", RateSource)

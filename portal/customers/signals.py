"""What happens to a customer that other features act on, without the customers feature
knowing them (a higher feature connects its receiver in its init_app)."""
from blinker import Namespace

_signals = Namespace()

# sender: the acting user; customer, previous_owner, new_owner. Sent inside the reassignment's
# transaction: a receiver's changes commit or roll back with it.
customer_reassigned = _signals.signal("customer-reassigned")

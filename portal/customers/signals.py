"""What happens to a customer that other features act on, without the customers feature
knowing them (a higher feature connects its receiver in its init_app)."""
from blinker import Namespace

_signals = Namespace()

# sender: the acting user; customers (a list), previous_owner, new_owner: one customer moved, or
# one colleague's share of a book handed over. Sent inside the move's transaction: a receiver's
# changes commit or roll back with it.
customers_reassigned = _signals.signal("customers-reassigned")

# sender: the acting user; customer, changes ({field: [old, new]}). Sent when the customer's profile
# or a contact changes, inside that change's transaction: what was approved for the customer as it
# was (a quote to a direct customer that is now a peer forwarder) is looked at again.
customer_changed = _signals.signal("customer-changed")

# sender: the acting user; customer: the new customer. Sent inside the creating transaction.
customer_created = _signals.signal("customer-created")

# sender: the acting user; customer, change (the GradeChange kept in the grade history). Sent
# inside the change's transaction: what follows the grade (the contact cadence, R-V2) moves with it.
grade_changed = _signals.signal("grade-changed")

"""How the bureau sells a tour operator's tours: as the operator's agent, for a
commission, or as principal, buying allotments and reselling them."""

SALE_MODES = [
    ("principal", "Principal"),
    ("agent", "Agent (Commission)"),
]
OPERATOR_BILL_MODES = [
    ("booking", "One Bill per Booking"),
    ("period", "One Bill per Period"),
]

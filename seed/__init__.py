"""Sample data: the pandas + Faker generator of the 11 CSV files, and their COPY loader."""

# One CSV per table, in the order they are written and loaded (references first).
TABLES = (
    "sellers",
    "categories",
    "products",
    "inventory",
    "customers",
    "orders",
    "order_items",
    "payments",
    "transactions",
    "cancellations",
    "returns",
)

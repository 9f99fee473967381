"""Sample data: the pandas + Faker generator of the 11 CSV files, and their COPY loader."""

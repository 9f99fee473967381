"""`workshop stress` and the benchmarks' tools: a test and operations package, not the engine.

It drives `workshop_tui.services` like any other client and then checks the
result with its own SQL:

- `runner`: the concurrent shoppers and `run_stress`, behind `workshop stress`;
- `checks`: the invariants of DESIGN.md, checked exactly after the run;
- `scratch_db`: a throw-away database on the server, and a small shop seeded in it;
- `report`: per-operation outcomes and latencies, and how they are printed.

The engine never imports this package (an import-linter contract holds it).
"""

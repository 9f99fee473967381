"""Fixed word lists the generator samples from (no Faker needed for these)."""

from __future__ import annotations

# (category, SKU prefix, item nouns, specs)
CATEGORIES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Hand Tools",
        "HND",
        ("Claw Hammer", "Screwdriver Set", "Chisel", "Hacksaw", "Pliers", "Spanner Set"),
        ("300 g", "500 g", "6 pc", "8 in", "10 in", "12 pc"),
    ),
    (
        "Power Tools",
        "PWR",
        ("Drill Machine", "Angle Grinder", "Jigsaw", "Heat Gun", "Impact Driver", "Planer"),
        ("500 W", "650 W", "850 W", "13 mm", "18 V", "2000 W"),
    ),
    (
        "Fasteners",
        "FST",
        ("Wood Screws", "Hex Bolts", "Wall Plugs", "Rivets", "Washers", "Anchor Bolts"),
        ("M6 x 50", "M8 x 60", "pack of 100", "pack of 50", "8 mm", "10 mm"),
    ),
    (
        "Measuring",
        "MSR",
        ("Measuring Tape", "Spirit Level", "Vernier Caliper", "Try Square", "Laser Distance Meter"),
        ("5 m", "7.5 m", "150 mm", "24 in", "40 m", "600 mm"),
    ),
    (
        "Electrical",
        "ELC",
        ("Copper Wire", "Switch Board", "Extension Cord", "MCB", "LED Batten", "Tester"),
        ("1.5 sq mm", "2.5 sq mm", "4 socket", "16 A", "20 W", "90 m"),
    ),
    (
        "Plumbing",
        "PLB",
        ("PVC Pipe", "Ball Valve", "Teflon Tape", "Pipe Wrench", "Basin Mixer", "Elbow Joint"),
        ("1/2 in", "3/4 in", "1 in", "14 in", "pack of 10", "3 m"),
    ),
    (
        "Paints",
        "PNT",
        ("Enamel Paint", "Wall Primer", "Wood Polish", "Spray Paint", "Paint Brush", "Roller"),
        ("1 L", "4 L", "500 ml", "400 ml", "2 in", "9 in"),
    ),
    (
        "Adhesives",
        "ADH",
        ("Epoxy Glue", "Wood Adhesive", "Silicone Sealant", "Masking Tape", "Super Glue"),
        ("50 g", "1 kg", "280 ml", "24 mm", "20 g", "500 g"),
    ),
    (
        "Safety",
        "SFT",
        ("Safety Goggles", "Work Gloves", "Ear Muffs", "Safety Helmet", "Dust Mask", "Boots"),
        ("size M", "size L", "size 9", "pack of 5", "ISI marked", "anti-fog"),
    ),
    (
        "Garden",
        "GDN",
        ("Garden Hose", "Pruning Shears", "Shovel", "Sprayer", "Rake", "Watering Can"),
        ("15 m", "8 in", "5 L", "16 L", "long handle", "10 L"),
    ),
    (
        "Woodworking",
        "WOD",
        ("Router Bit", "Wood Clamp", "Sandpaper", "Wood Lathe Tool", "Dowel Jig", "Mallet"),
        ("1/4 in", "12 in", "grit 120", "pack of 10", "8 mm", "24 oz"),
    ),
    (
        "Welding",
        "WLD",
        ("Welding Rod", "Welding Helmet", "Inverter Welder", "Soldering Iron", "Flux", "Torch"),
        ("2.5 mm", "3.15 mm", "auto darkening", "200 A", "60 W", "250 g"),
    ),
    (
        "Storage",
        "STG",
        ("Tool Box", "Parts Organiser", "Tool Bag", "Wall Pegboard", "Drawer Cabinet"),
        ("16 in", "21 in", "24 bin", "3 drawer", "600 x 400", "steel"),
    ),
    (
        "Lubricants",
        "LUB",
        ("Machine Oil", "Grease", "Rust Remover", "Chain Lube", "Cutting Oil", "Penetrant"),
        ("100 ml", "250 ml", "500 g", "1 L", "5 L", "aerosol"),
    ),
    (
        "Abrasives",
        "ABR",
        ("Cutting Wheel", "Grinding Disc", "Flap Disc", "Wire Brush", "Polishing Pad"),
        ("4 in", "5 in", "7 in", "grit 60", "grit 80", "pack of 5"),
    ),
    (
        "Lighting",
        "LGT",
        ("Work Lamp", "Head Torch", "LED Bulb", "Flood Light", "Emergency Light", "Tube Light"),
        ("9 W", "12 W", "rechargeable", "50 W", "IP65", "4 ft"),
    ),
)

ADJECTIVES = (
    "Heavy Duty",
    "Professional",
    "Compact",
    "Premium",
    "Industrial",
    "Classic",
    "Ergonomic",
    "Rust-Proof",
    "Economy",
    "Pro Series",
    "Cordless",
    "High Grip",
)

BRAND_SUFFIXES = ("Tools", "Works", "Pro", "Hardware", "Industries", "Craft", "Forge", "Line")
SELLER_SUFFIXES = ("Traders", "Hardware", "Tool House", "Enterprises", "Stores", "& Sons")

DESCRIPTIONS = (
    "{adj} {noun} ({spec}) for the workshop and the home.",
    "{noun}, {spec}. {adj} build, one year warranty.",
    "A {adj_lower} {noun_lower} in {spec}, trusted by fitters and carpenters.",
    "{adj} {noun_lower}: {spec}, ready to use.",
)

CANCEL_REASONS = (
    "changed my mind",
    "ordered the wrong item",
    "found it cheaper elsewhere",
    "duplicate order",
    "needed it sooner",
    "customer asked at the counter",
)
RETURN_REASONS = (
    "damaged in transit",
    "wrong size",
    "not as described",
    "defective",
    "no longer needed",
    "better quality expected",
)

# The engine's own wording for an order cancelled by the expiry sweep (orders.expire_unpaid).
EXPIRY_REASON = "payment window expired"

CITY_FALLBACK = ("Mumbai", "Delhi", "Bengaluru", "Chennai", "Pune", "Hyderabad", "Kolkata")

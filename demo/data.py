"""Fixed lists the demo company is drawn from: places, people's names, sectors, products."""

DEMO_DOMAIN = "pacer-demo.example"
PASSWORD = "pacer-demo"


def _listed(text: str) -> list[str]:
    """The items of a comma-separated block: keeps long name lists a few lines long."""
    return [item.strip() for item in text.split(",")]


# region > area > territories; one sales team (and manager) per area.
REGIONS = {
    "East": {
        "Northeast": ["New England", "New York Metro", "Mid-Atlantic"],
        "Southeast": ["Carolinas", "Florida"],
    },
    "Central": {
        "Great Lakes": ["Chicago Metro", "Michigan", "Ohio Valley"],
        "South Central": ["Texas", "Gulf Coast"],
    },
    "West": {
        "Pacific": ["Northern California", "Southern California", "Pacific Northwest"],
        "Mountain": ["Rockies", "Desert Southwest"],
    },
}
AREAS = {area: leaves for areas in REGIONS.values() for area, leaves in areas.items()}
TEAM_SIZES = [6, 6, 6, 6, 6, 5]


def team_name(area: str) -> str:
    return f"{area} Team"


# Share of a territory's accounts based across the border.
FOREIGN = {
    "New England": ("Canada", 0.15),
    "Michigan": ("Canada", 0.2),
    "Pacific Northwest": ("Canada", 0.25),
    "Texas": ("Mexico", 0.15),
    "Desert Southwest": ("Mexico", 0.1),
}

# username: (first name, last name, role, title)
FIXED_PEOPLE = {
    "admin": ("Sam", "Okafor", "admin", "Sales Operations Admin"),
    "exec": ("Diane", "Whitfield", "executive", "VP of Sales"),
    "manager": ("Priya", "Raman", "manager", ""),
    "rep": ("Tom", "Becker", "rep", "Account Executive"),
}

FIRST_NAMES = _listed(
    """
    Aaliyah, Aaron, Adaeze, Aiko, Alejandro, Amara, Ana, André, Anika, Ben, Bianca, Björn,
    Caleb, Carmen, Chen, Chloé, Daniel, Deepa, Diego, Elena, Emeka, Emily, Eric, Fatima,
    Felix, Gabriel, Grace, Hannah, Hiro, Ines, Isaac, Jamal, Javier, Jessica, Jin, José,
    Julia, Kareem, Kate, Kwame, Laura, Leila, Liam, Lucía, Malik, Maria, Mateo, Maya, Mei,
    Michael, Nadia, Naveen, Noah, Olivia, Omar, Rachel, Rafael, Renée, Ryan, Sara, Sofia,
    Tariq, Thabo, Valentina, Victor, Wei, Yusuf, Zoë
"""
)
LAST_NAMES = _listed(
    """
    Abbott, Adeyemi, Alvarez, Anderson, Bauer, Brennan, Castillo, Chang, Cohen, Costa,
    Dubois, Duarte, Ellis, Fischer, Foster, García, Gupta, Hansen, Hayes, Hernández, Hoang,
    Ibrahim, Ito, Jensen, Johnson, Kaur, Kim, Kowalski, Larsen, Lee, Lindqvist, López,
    Mahlangu, Martin, Mehta, Mensah, Moreau, Murphy, Nakamura, Nguyen, Novak, O'Brien,
    Okonkwo, Olsen, Patel, Peña, Petrov, Quinn, Ramírez, Reyes, Rossi, Sato, Schmidt, Shah,
    Silva, Sullivan, Tanaka, Thompson, Tran, Vargas, Walsh, Weber, Williams, Wong, Yilmaz,
    Zhang
"""
)

# sector: (revenue per employee in USD, words for company names)
SECTORS = {
    "Manufacturing": (260_000, ["Manufacturing", "Industries", "Fabrication", "Works"]),
    "Healthcare": (180_000, ["Health", "Medical", "Care Partners", "Clinics"]),
    "Financial Services": (420_000, ["Financial", "Capital", "Bancorp", "Insurance"]),
    "Retail": (210_000, ["Retail", "Outfitters", "Markets", "Stores"]),
    "Technology": (340_000, ["Software", "Systems", "Networks", "Labs"]),
    "Logistics": (230_000, ["Logistics", "Freight", "Transport", "Distribution"]),
    "Education": (120_000, ["Learning", "Academy", "Education Group", "Schools"]),
    "Energy": (520_000, ["Energy", "Power", "Utilities", "Renewables"]),
    "Construction": (290_000, ["Construction", "Builders", "Engineering", "Contractors"]),
    "Media": (300_000, ["Media", "Studios", "Publishing", "Broadcasting"]),
}
NAME_STEMS = _listed(
    """
    Apex, Atlas, Aurora, Bayview, Beacon, Blue Ridge, Brightpath, Bristol, Cedar,
    Clearwater, Cobalt, Crescent, Driftwood, Evergreen, Falcon, Foxhill, Golden Gate,
    Granite, Harbor, Highland, Horizon, Ironwood, Juniper, Keystone, Kingsley, Lakeshore,
    Larkspur, Lighthouse, Maple, Meridian, Mosaic, Nimbus, Northstar, Northwind, Oakmont,
    Orchard, Pinnacle, Pioneer, Prairie, Quarry, Redwood, Riverbend, Rockport, Sandstone,
    Silverline, Sterling, Summit, Tidewater, Trident, Union, Upland, Vantage, Westfield,
    Willow, Zenith
"""
)
LEGAL_SUFFIXES = ["", "", "", "Inc.", "LLC", "Group", "Co."]
SUBSIDIARY_SUFFIXES = ["Services", "Labs", "International", "Solutions", "Digital"]

# segment: (share of accounts, employee range, deal size multiplier, account weight)
SEGMENTS = {
    "smb": (0.45, (10, 199), 0.6, 1.0),
    "mid_market": (0.32, (200, 999), 1.0, 1.3),
    "enterprise": (0.17, (1_000, 9_999), 2.0, 1.6),
    "strategic": (0.06, (10_000, 80_000), 3.5, 2.0),
}

# name: (family, list price (annual for recurring), billing, weight by segment smb..strategic)
PRODUCTS = {
    "Core Platform": ("Platform", 18_000, "recurring", (5, 5, 3, 2)),
    "Enterprise Platform": ("Platform", 60_000, "recurring", (0, 1, 3, 4)),
    "Analytics Add-on": ("Add-ons", 9_600, "recurring", (1, 2, 2, 2)),
    "Integration Hub": ("Add-ons", 7_200, "recurring", (1, 2, 2, 2)),
    "Premium Support": ("Services", 6_000, "recurring", (1, 1, 2, 2)),
    "Implementation Services": ("Services", 15_000, "one_time", (1, 2, 2, 2)),
    "Training Workshop": ("Services", 4_500, "one_time", (2, 2, 1, 1)),
    "Edge Gateway": ("Hardware", 3_200, "one_time", (2, 1, 1, 1)),
}

# name, order, probability, kind, forecast category
STAGES = [
    ("Prospecting", 1, 10, "open", "pipeline"),
    ("Qualification", 2, 20, "open", "pipeline"),
    ("Proposal", 3, 40, "open", "best_case"),
    ("Negotiation", 4, 70, "open", "commit"),
    ("Closed Won", 5, 100, "won", "closed"),
    ("Closed Lost", 6, 0, "lost", "omitted"),
]

LOST_REASONS = {
    "Price": 25,
    "Lost to competitor": 25,
    "No decision": 22,
    "Timing": 12,
    "No budget": 8,
    "Product fit": 5,
    "": 3,
}

# Created deals per month of the year (summer and December holidays are quieter).
MONTH_FACTORS = [1.05, 1.05, 1.1, 1.0, 1.0, 1.05, 0.9, 0.85, 1.05, 1.1, 1.0, 0.85]
HOLIDAYS = {(1, 1), (7, 4), (12, 24), (12, 25), (12, 31)}

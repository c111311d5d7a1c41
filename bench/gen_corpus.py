#!/usr/bin/env python3
"""Write a synthetic, deterministic news-digest corpus for benchmarks.

    python3 bench/gen_corpus.py --count 10000 --seed 1 --format digest --out DIR
    python3 bench/gen_corpus.py --count 10000 --seed 1 --format hugo   --out DIR

The articles are a pure function of (--count, --seed): one random.Random(seed)
drives every choice, pools are fixed lists, iteration is over lists only, and
no clock is read.  Both formats hold the same articles (same slugs, titles,
dates, terms and bodies), so `digest build` and `hugo` render the same input.

  digest  site.toml + content/YYYY/MM/DD/<slug>.md, TOML front matter (+++)
  hugo    hugo.toml + content/articles/<slug>.md + layouts/ (a complete site)

Python 3 standard library only.
"""

import argparse
import datetime as dt
import json
import os
import re
import random
import sys
import unicodedata

# ---------------------------------------------------------------------------
# Pools.  Fixed, so a seed means the same thing on every machine.
# ---------------------------------------------------------------------------

TOPICS = [
    "Climate", "Energy", "Elections", "Central Banking", "Inflation", "Housing",
    "Public Transport", "Health Care", "Vaccines", "Schools", "Universities",
    "Artificial Intelligence", "Cybersecurity", "Data Protection", "Telecoms",
    "Space", "Farming", "Fisheries", "Water", "Wildfires", "Floods", "Migration",
    "Labour Rights", "Pensions", "Tax Reform", "Trade", "Shipping", "Aviation",
    "Railways", "Defence", "Diplomacy", "Courts", "Policing", "Press Freedom",
    "Culture", "Football", "Tourism", "Mining", "Chip Industry", "Startups",
]

FIRST = [
    "Adaeze", "Anders", "Aylin", "Bartosz", "Beatriz", "Camille", "Chidi", "Dana",
    "Dmitro", "Eamon", "Emeka", "Farah", "Fatima", "Gustavo", "Hana", "Henrik",
    "Ines", "Ivan", "Jakub", "Joanna", "Kaito", "Kamala", "Kwame", "Leila",
    "Lorenzo", "Luz", "Magnus", "Malik", "Marta", "Mateus", "Nadia", "Nils",
    "Noor", "Oksana", "Omar", "Paulo", "Petra", "Rahul", "Renata", "Ruth",
    "Sanjay", "Sara", "Sebastian", "Selin", "Siobhan", "Tariq", "Teresa", "Tomas",
    "Vanessa", "Viktor", "Wanjiru", "Yara", "Yosef", "Zainab", "Zoltan", "Agnieszka",
    "Björn", "Chiara", "Darius", "Elif",
]

LAST = [
    "Abiodun", "Achterberg", "Alvarez", "Andersson", "Bakker", "Balogun", "Bianchi",
    "Borkowski", "Carvalho", "Costa", "Demir", "Dimitrov", "Eze", "Fagerlund",
    "Ferrari", "Gonzaga", "Grünwald", "Halvorsen", "Hoang", "Iyer", "Jankowski",
    "Kamau", "Karlsson", "Kaya", "Kovacs", "Kumar", "Lambert", "Lindgren", "Lopes",
    "MacLeod", "Maldonado", "Marchetti", "Mbeki", "Moretti", "Mwangi", "Nowak",
    "O'Connell", "Oyelaran", "Park", "Pereira", "Popescu", "Rahman", "Rasmussen",
    "Romero", "Saito", "Santos", "Shevchenko", "Singh", "Sokolova", "Takahashi",
    "Toure", "Van Dijk", "Wiśniewski", "Yamamoto", "Zapata",
]

PLACES = [
    "Aarhus", "Abuja", "Adelaide", "Almaty", "Antwerp", "Asunción", "Baku",
    "Barcelona", "Belgrade", "Bergen", "Bilbao", "Bratislava", "Bristol",
    "Brno", "Cape Town", "Cebu", "Chennai", "Cork", "Curitiba", "Dakar",
    "Da Nang", "Durban", "Eindhoven", "Gdańsk", "Geneva", "Glasgow", "Gothenburg",
    "Guadalajara", "Hamburg", "Ho Chi Minh City", "Hyderabad", "Izmir", "Kampala",
    "Kaunas", "Kigali", "Kraków", "Kyoto", "Leeds", "Lille", "Ljubljana", "Lyon",
    "Malmö", "Marseille", "Medellín", "Montevideo", "Montreal", "Munich", "Naples",
    "Oaxaca", "Porto", "Pune", "Quito", "Riga", "Rotterdam", "Seville", "Tallinn",
    "Tbilisi", "Turin", "Valencia", "Wellington",
]

OUTLETS = [  # (name, host)
    ("The Harbour Post", "www.harbourpost.example"),
    ("Morning Ledger", "morningledger.example"),
    ("Northgate Herald", "www.northgateherald.example"),
    ("The Plainsman", "plainsman.example"),
    ("Riverbend Gazette", "news.riverbend.example"),
    ("Continental Times", "www.continentaltimes.example"),
    ("The Quarterdeck", "quarterdeck.example"),
    ("Metro Wire", "www.metrowire.example"),
    ("The Civic Lantern", "civiclantern.example"),
    ("Eastern Daily Mail", "www.easterndaily.example"),
    ("Highland Courier", "highlandcourier.example"),
    ("The Market Bell", "www.marketbell.example"),
    ("Atlas Review", "atlasreview.example"),
    ("The Independent Dispatch", "www.indydispatch.example"),
    ("Lowland Observer", "lowlandobserver.example"),
    ("The Evening Signal", "www.eveningsignal.example"),
    ("Coastline Radio", "radio.coastline.example"),
    ("Bridgetown Chronicle", "www.bridgetownchronicle.example"),
    ("Open Field News", "openfieldnews.example"),
    ("The Weekly Meridian", "weeklymeridian.example"),
]

# Hosts that articles link out to (reports, agencies, registries).
LINK_HOSTS = [
    "www.statistics-office.example", "data.openregistry.example",
    "www.courtrecords.example", "reports.climatewatch.example",
    "www.parliament-library.example", "research.policylab.example",
    "www.budgetwatch.example", "archive.pressagency.example",
]

BODIES = [  # institutions and companies
    "the transport ministry", "the city council", "the central bank", "the health authority",
    "the electoral commission", "the competition regulator", "the port authority",
    "the environment agency", "the supreme court", "the finance committee",
    "the national audit office", "the housing board", "the teachers' union",
    "the nurses' union", "the chamber of commerce", "the data protection office",
    "Kestrel Grid", "Polaris Rail", "Amberline Shipping", "Saltmarsh Water",
    "Orion Semiconductors", "Tidewater Airlines", "Blackthorn Mining", "Verdant Foods",
    "Larkspur Telecom", "Copperfield Insurance", "Nimbus Analytics", "Greystone Bank",
    "the regional parliament", "the coastal alliance", "the farmers' cooperative",
    "the statistics office",
]

THINGS = [  # singular nouns
    "budget", "bill", "ruling", "contract", "tender", "plan", "proposal", "report",
    "audit", "review", "inquiry", "study", "survey", "forecast", "strike", "protest",
    "merger", "takeover", "licence", "permit", "subsidy", "tariff", "levy", "loan",
    "bond sale", "rate decision", "price cap", "rent freeze", "wage deal", "pension plan",
    "school reform", "hospital expansion", "rail link", "bus network", "ferry route",
    "runway", "power line", "wind farm", "solar park", "gas pipeline", "water main",
    "flood barrier", "sea wall", "data centre", "chip plant", "vaccine programme",
    "recycling scheme", "housing project", "zoning change", "curfew", "ceasefire",
    "trade agreement", "border check", "visa rule", "election law", "recount",
    "coalition deal", "spending review", "court appeal", "investigation",
]

QUALITIES = [
    "long-delayed", "costly", "contested", "ambitious", "modest", "sweeping", "temporary",
    "revised", "preliminary", "final", "surprise", "cross-party", "emergency", "regional",
    "national", "record", "landmark", "scaled-back", "fast-tracked", "unpopular",
    "widely expected", "controversial", "low-cost", "multi-year", "pilot", "draft",
]

ACTIONS = [  # (base, past, third person)
    ("approve", "approved", "approves"), ("block", "blocked", "blocks"),
    ("delay", "delayed", "delays"), ("scrap", "scrapped", "scraps"),
    ("expand", "expanded", "expands"), ("revive", "revived", "revives"),
    ("challenge", "challenged", "challenges"), ("back", "backed", "backs"),
    ("reject", "rejected", "rejects"), ("unveil", "unveiled", "unveils"),
    ("review", "reviewed", "reviews"), ("suspend", "suspended", "suspends"),
    ("fund", "funded", "funds"), ("rewrite", "rewrote", "rewrites"),
    ("defend", "defended", "defends"), ("question", "questioned", "questions"),
    ("extend", "extended", "extends"), ("cut", "cut", "cuts"),
    ("announce", "announced", "announces"), ("freeze", "froze", "freezes"),
    ("restart", "restarted", "restarts"), ("finalise", "finalised", "finalises"),
    ("halt", "halted", "halts"), ("speed up", "sped up", "speeds up"),
]

WHEN = [
    "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "at the weekend",
    "last week", "this month", "earlier this year", "late on Thursday", "overnight",
]

LATER = [
    "by the end of the year", "within weeks", "next spring", "before the summer",
    "over the next decade", "by 2030", "before the next election", "in the autumn",
    "within six months", "later this year", "in the coming days",
]

LINKERS = [
    "Meanwhile,", "Still,", "However,", "Separately,", "In practice,", "For now,",
    "At the same time,", "Even so,", "By contrast,", "As a result,", "In the meantime,",
]

FIGURES = ["2", "3", "4", "5", "7", "9", "12", "15", "18", "24", "30", "45", "60",
           "80", "120", "250", "400", "1,200", "3,500"]
FEW = ["two", "three", "four", "five", "six", "eight", "ten", "12", "15", "20"]
PERCENTS = ["1.5", "2", "3", "4.2", "6", "8", "11", "14", "19", "23", "31", "38", "47", "52", "64"]

# Slots: {P} person of the article, {S} surname of one, {X} anyone from the pool,
# {L} place of the article, {B} a body, {T} a thing, {Q} a quality, {V}/{VD}/{VS}
# an action, {W} when, {LT} later, {K} linker, {F} figure, {PC} percent,
# {FY} a small number, {TOP} the article's topic (lower case), {ORG} the outlet.
SENTENCES = [
    "{P} said {B} would {V} the {Q} {T} {LT}.",
    "{K} {B} {VD} the {T} {W}, a decision that surprised officials in {L}.",
    "\"We cannot {V} a {T} that nobody in {L} asked for,\" {P} told reporters.",
    "{S} argued that the {Q} {T} would cost about {F} million.",
    "The {T} {VS} a promise made to voters in {L} {W}.",
    "According to {B}, support for the {T} fell to {PC} per cent.",
    "{K} the debate over {TOP} has moved from {L} to the capital.",
    "{P} and {X} met in {L} {W} to discuss the {T}.",
    "Critics say the {Q} {T} does little to address {TOP}.",
    "{B} {VD} its own {T} in response, according to people familiar with the talks.",
    "Figures published by {B} show a rise of {PC} per cent since the {T} took effect.",
    "\"This is not the end of the {T},\" {S} said, \"but it is a start.\"",
    "Officials in {L} expect {B} to {V} the {T} {LT}.",
    "{K} opposition figures, led by {X}, vowed to {V} the {T}.",
    "The {Q} {T} drew {F} objections during a public consultation in {L}.",
    "{P} declined to say whether {B} would {V} the {T}.",
    "Business groups in {L} have {VD} the {T}, citing costs of up to {F} million.",
    "{K} a spokesperson for {B} said the {T} was under review.",
    "The {T} is the third in {FY} months to reach {L}.",
    "Analysts at {B} estimate the {T} could shift {PC} per cent of spending by {LT_BARE}.",
    "{S} has repeatedly asked {B} to {V} the {T}.",
    "Lawyers for {P} said they would {V} the {T} in court.",
    "{K} turnout at a protest in {L} was put at {F} thousand.",
    "The {Q} {T} has become a test for anyone working on {TOP}.",
    "Residents of {L} have waited {FY} years for the {T}.",
    "{S}, who has followed {TOP} for {FY} years, called the {T} {Q}.",
    "The {T} was first proposed {FY} years ago, when {X} led {B}.",
    "In {L}, the {T} is already visible: {F} sites have been set aside for it.",
    "{B} said it had received {F} complaints about the {T} since the spring.",
    "Few in {L} expect the {T} to survive the next budget round.",
    "{P} described the {T} as {Q} but necessary.",
    "A draft seen by this outlet suggests {B} will {V} the {T} {LT}.",
    "{X}, a former adviser to {B}, said the {T} had been rushed.",
    "{K} the cost of the {T} has risen by {PC} per cent in a year.",
    "Local papers in {L} have covered the {T} almost daily since {W_BARE}.",
    "{P} is due to give evidence on the {T} {LT}.",
    "The row over the {T} is also a row about {TOP}, {S} said.",
    "{K} neither {B} nor {X} responded to requests for comment.",
]

SUMMARY_SENTENCES = [
    "{P} wants {B} to {V} the {Q} {T}, but {L} is divided.",
    "A {Q} {T} in {L} puts {TOP} back at the centre of the debate.",
    "{B} {VD} the {T}; {S} says the fight is not over.",
    "What the {Q} {T} means for {L}, and who pays for it.",
]

QUOTES = [
    "We will {V} this {T} {LT}, whatever it costs",
    "Nobody in {L} voted for a {Q} {T}",
    "The numbers on {TOP} do not lie",
    "People in {L} deserve better than a {Q} {T}",
]

TITLES = [
    "{P} Vows to {V} {Q} {T} in {L}",
    "{L} {T} {VS} After Months of Talks",
    "{B_T} {VS} {Q} {T}",
    "Why {L}'s {Q} {T} Matters for {TOP_T}",
    "{TOP_T}: What the {Q} {T} Means for {L}",
    "{L} Residents Push Back on {Q} {T}",
    "{P} Faces Questions Over {L} {T}",
    "Inside the Fight Over {L}'s {Q} {T}",
    "{F} Takeaways From the {T} Debate in {L}",
    "{B_T} and {L} at Odds Over {T}",
    "{TOP_T} Tops Agenda as {P} Visits {L}",
    "{Q} {T} Splits {L} Council",
    "How {P} Reshaped the {T}",
    "{L} {VS} {T}, Defying {B_T}",
    "A {Q} {T} Arrives in {L}",
    "{S} Says {T} Will {V} {TOP_T} Plans",
    "{Q} {T} in {L}: The Numbers Behind {TOP_T}",
    "{B_T} Under Pressure as {L} {T} Stalls",
    "What Comes After the {Q} {T} in {L}",
    "{P} on {TOP_T}, {L} and the {T}",
]

LIST_INTROS = ["The main points:", "What the plan includes:", "Key figures:"]
LIST_ITEMS = [
    "{F} million for the {T}", "a review of the {T} {LT}", "new rules for {L}",
    "a {Q} {T} for {L}", "{PC} per cent more for {TOP}", "talks with {B}",
]

SUBHEADS = ["Background", "What happens next", "Reaction", "The numbers", "Why it matters"]

SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to"}

_SLOT = re.compile(r"\{([A-Z_]+)\}")
_ARTICLE = re.compile(r"\b([Aa]) (?=[aeiouAEIOU])")


def compile_template(t):
    """A template as a list alternating literal text and slot names."""
    parts = _SLOT.split(t)
    return [(i % 2 == 1, p) for i, p in enumerate(parts) if p]


def slugify(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "article"


def title_case(s):
    words = s.split(" ")
    out = []
    for i, w in enumerate(words):
        if i and w in SMALL_WORDS:
            out.append(w)
        elif w[:1].islower():
            out.append(w[0].upper() + w[1:])
        else:
            out.append(w)
    return " ".join(out)


def cumulative(n, s):
    """Cumulative Zipf-like weights: a few terms are common, most are rare."""
    acc, out = 0.0, []
    for k in range(1, n + 1):
        acc += 1.0 / k ** s
        out.append(acc)
    return out


class Corpus:
    def __init__(self, count, seed):
        self.count = count
        self.rng = random.Random(seed)
        rng = self.rng
        # Shuffled copies fix which terms are frequent for this seed.
        self.people = [f"{f} {l}" for f in FIRST for l in LAST]
        rng.shuffle(self.people)
        self.topics = list(TOPICS)
        rng.shuffle(self.topics)
        self.places = list(PLACES)
        rng.shuffle(self.places)
        self.outlets = list(OUTLETS)
        rng.shuffle(self.outlets)
        self.people_cw = cumulative(len(self.people), 0.8)
        self.topic_cw = cumulative(len(self.topics), 0.7)
        self.place_cw = cumulative(len(self.places), 0.6)
        self.outlet_cw = cumulative(len(self.outlets), 0.5)
        self.sentences = [compile_template(t) for t in SENTENCES]
        self.summaries = [compile_template(t) for t in SUMMARY_SENTENCES]
        self.titles = [compile_template(t) for t in TITLES]
        self.quotes = [compile_template(t) for t in QUOTES]
        self.items = [compile_template(t) for t in LIST_ITEMS]
        self.intros = [compile_template(t) for t in LIST_INTROS]

    # -- picking ------------------------------------------------------------
    def distinct(self, pool, cw, k):
        out = []
        while len(out) < k:
            x = self.rng.choices(pool, cum_weights=cw)[0]
            if x not in out:
                out.append(x)
        return out

    def slot(self, name, a):
        rng = self.rng
        if name == "P":
            return rng.choice(a["people"])
        if name == "S":
            return rng.choice(a["people"]).split(" ", 1)[1]
        if name == "X":
            return rng.choices(self.people, cum_weights=self.people_cw)[0]
        if name == "L":
            return rng.choice(a["places"]) if rng.random() < 0.85 else rng.choice(self.places)
        if name == "B":
            return rng.choice(BODIES)
        if name == "B_T":
            b = rng.choice(BODIES)
            return title_case(b[4:] if b.startswith("the ") else b)
        if name == "T":
            return rng.choice(THINGS)
        if name == "Q":
            return rng.choice(QUALITIES)
        if name == "V":
            return rng.choice(ACTIONS)[0]
        if name == "VD":
            return rng.choice(ACTIONS)[1]
        if name == "VS":
            return rng.choice(ACTIONS)[2]
        if name == "W":
            return rng.choice(WHEN)
        if name == "LT":
            return rng.choice(LATER)
        if name == "LT_BARE":
            return rng.choice(["2030", "2028", "the end of the decade", "next year"])
        if name == "K":
            return rng.choice(LINKERS)
        if name == "F":
            return rng.choice(FIGURES)
        if name == "FY":
            return rng.choice(FEW)
        if name == "W_BARE":
            return rng.choice(["January", "the spring", "the summer", "last autumn", "the election"])
        if name == "PC":
            return rng.choice(PERCENTS)
        if name == "TOP":
            return rng.choice(a["topics"]).lower()
        if name == "TOP_T":
            return rng.choice(a["topics"])
        if name == "ORG":
            return a["source"]
        raise KeyError(name)

    def fill(self, tpl, a):
        s = "".join(self.slot(p, a) if is_slot else p for is_slot, p in tpl)
        s = _ARTICLE.sub(r"\1n ", s)
        return s[0].upper() + s[1:]

    # -- prose ----------------------------------------------------------------
    def emphasise(self, s):
        """Wrap two or three words of s in ** (or, now and then, *)."""
        words = s.split(" ")
        if len(words) < 7:
            return s
        i = self.rng.randrange(1, len(words) - 3)
        n = self.rng.choice([2, 3])
        span = words[i:i + n]
        if any(c in w for w in span for c in "\"*[]") or any(w[-1] in ",.;:" for w in span[:-1]):
            return s
        text = " ".join(span)
        core = text.rstrip(",.;:")
        tail = text[len(core):]
        mark = "**" if self.rng.random() < 0.75 else "*"
        words[i:i + n] = [f"{mark}{core}{mark}{tail}"]
        return " ".join(words)

    def link(self, s, a):
        """Turn three words of s into a Markdown link to an outside page."""
        words = s.split(" ")
        if len(words) < 8:
            return s
        i = self.rng.randrange(1, len(words) - 4)
        span = words[i:i + 3]
        if any(c in w for w in span for c in "\"*[]") or any(w[-1] in ",.;:" for w in span[:-1]):
            return s
        text = " ".join(span)
        core = text.rstrip(",.;:")
        tail = text[len(core):]
        rng = self.rng
        url = (f"https://{rng.choice(LINK_HOSTS)}/{a['year']}/"
               f"{slugify(rng.choice(THINGS))}-{rng.randrange(1000, 99999)}")
        words[i:i + 3] = [f"[{core}]({url}){tail}"]
        return " ".join(words)

    def body(self, a):
        rng = self.rng
        target = rng.randint(600, 700)
        sents, words = [], 0
        while words < target:
            s = self.fill(rng.choice(self.sentences), a)
            sents.append(s)
            words += s.count(" ") + 1
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            for _try in range(4):  # a few sentences have no span to mark
                k = rng.randrange(len(sents))
                marked = self.emphasise(sents[k])
                if marked != sents[k]:
                    sents[k] = marked
                    break
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            for _try in range(4):
                k = rng.randrange(len(sents))
                linked = self.link(sents[k], a)
                if linked != sents[k]:
                    sents[k] = linked
                    break
        # Paragraphs of roughly even length, each cut moved by up to a third of one.
        n_par = min(rng.randint(4, 8), len(sents) // 2)
        size = len(sents) / n_par
        jitter = int(size / 3)
        cuts = [round(k * size) + rng.randint(-jitter, jitter) for k in range(1, n_par)]
        paras, prev = [], 0
        for c in cuts + [len(sents)]:
            paras.append(" ".join(sents[prev:c]))
            prev = c
        # Now and then a quote, a list or a subheading between paragraphs.
        extra = rng.random()
        if extra < 0.25:
            q = self.fill(rng.choice(self.quotes), a)
            paras.insert(rng.randrange(1, len(paras)), f"> \"{q},\" said {rng.choice(a['people'])}.")
        elif extra < 0.40:
            items = [self.fill(rng.choice(self.items), a) for _ in range(rng.randint(3, 5))]
            paras.insert(rng.randrange(1, len(paras)),
                         self.fill(rng.choice(self.intros), a) + "\n\n"
                         + "\n".join("- " + x for x in items))
        elif extra < 0.50:
            paras.insert(rng.randrange(2, len(paras) + 1), "## " + rng.choice(SUBHEADS))
        return "\n\n".join(paras) + "\n"

    # -- the corpus -------------------------------------------------------------
    def dates(self):
        """count sorted datetimes over 2023-2025, several articles on each news day."""
        rng = self.rng
        first = dt.date(2023, 1, 1)
        n_days = (dt.date(2026, 1, 1) - first).days
        days = list(range(n_days))
        news_days = sorted(rng.sample(days, min(n_days, max(1, -(-self.count // 4)))))
        # Weekdays carry twice the news of weekends.
        weights = [1.0 if (first + dt.timedelta(d)).weekday() < 5 else 0.5 for d in news_days]
        picked = rng.choices(news_days, weights=weights, k=self.count)
        secs = [d * 86400 + rng.randrange(6 * 3600, 23 * 3600) for d in picked]
        secs.sort()
        base = dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc)
        return [base + dt.timedelta(seconds=s) for s in secs]

    def articles(self):
        rng = self.rng
        slugs = set()
        by_topic = {t: [] for t in self.topics}
        arts = []
        for i, when in enumerate(self.dates()):
            source, host = rng.choices(self.outlets, cum_weights=self.outlet_cw)[0]
            a = {
                "date": when,
                "year": when.year,
                "topics": self.distinct(self.topics, self.topic_cw, rng.choices([1, 2, 3], [45, 35, 20])[0]),
                "people": self.distinct(self.people, self.people_cw, rng.choices([1, 2, 3], [40, 35, 25])[0]),
                "places": self.distinct(self.places, self.place_cw, rng.choices([1, 2], [70, 30])[0]),
                "source": source,
            }
            title = self.fill(rng.choice(self.titles), a)
            title = title_case(title)
            base = slugify(title)
            if len(base) > 72:
                base = base[:72].rsplit("-", 1)[0]
            slug, n = base, 2
            while slug in slugs:
                slug = f"{base}-{n}"
                n += 1
            slugs.add(slug)
            a["title"] = title
            a["slug"] = slug
            a["url"] = f"https://{host}/{when:%Y/%m/%d}/{base[:60].strip('-')}-id{rng.randrange(10000, 100000)}"
            # Earlier coverage, mostly of the same topic, mostly recent.
            related = []
            for _ in range(rng.choices([0, 1, 2, 3], [25, 35, 25, 15])[0]):
                same = by_topic[rng.choice(a["topics"])]
                if same and rng.random() < 0.8:
                    j = same[max(0, len(same) - 1 - int(rng.expovariate(1 / 20)))]
                elif i:
                    j = rng.randrange(i)
                else:
                    break
                if arts[j]["slug"] not in related:
                    related.append(arts[j]["slug"])
            a["related"] = related
            a["summary"] = (self.fill(rng.choice(self.summaries), a)
                            if rng.random() < 0.5 else None)
            a["body"] = self.body(a)
            for t in a["topics"]:
                by_topic[t].append(i)
            arts.append(a)
        return arts


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------

def toml_str(s):
    # A JSON string is a valid TOML basic string when it has no control characters.
    assert not any(ord(c) < 32 for c in s), repr(s)
    return json.dumps(s, ensure_ascii=False)


def toml_list(xs):
    return "[" + ", ".join(toml_str(x) for x in xs) + "]"


def toml_date(d):
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_file(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_digest(arts, out):
    write_file(os.path.join(out, "site.toml"),
               'title = "Bench Digest"\n'
               'base_url = "https://bench.example/"\n'
               'timezone = "UTC"\n')
    for a in arts:
        fm = [
            f"title = {toml_str(a['title'])}",
            f"date = {toml_date(a['date'])}",
            f"source = {toml_str(a['source'])}",
            f"url = {toml_str(a['url'])}",
            f"topics = {toml_list(a['topics'])}",
            f"people = {toml_list(a['people'])}",
            f"places = {toml_list(a['places'])}",
            f"related = {toml_list(a['related'])}",
        ]
        if a["summary"]:
            fm.append(f"summary = {toml_str(a['summary'])}")
        d = a["date"]
        path = os.path.join(out, "content", f"{d:%Y}", f"{d:%m}", f"{d:%d}", a["slug"] + ".md")
        write_file(path, "+++\n" + "\n".join(fm) + "\n+++\n" + a["body"])


HUGO_CONFIG = """\
baseURL = "https://bench.example/"
title = "Bench Digest"
timeZone = "UTC"
disableKinds = []
enableRobotsTXT = true

[taxonomies]
topic = "topics"
person = "people"
place = "places"
source = "sources"

[pagination]
pagerSize = 20

# Site and term feeds hold the newest 20 items, as digest's feed_limit does.
[services.rss]
limit = 20
"""

# The paginated article list that ends Hugo's section and term pages.
PAGED_ARTICLES = """\
{{ $pager := .Paginate .Pages.ByDate.Reverse }}
<ul class="articles">
{{ range $pager.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 Jan 2006" }}</time></li>
{{ end }}
</ul>
<nav class="pager">{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} Page {{ $pager.PageNumber }} of {{ $pager.TotalPages }} {{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
{{ end }}
"""

HUGO_LAYOUTS = {
    "baseof.html": """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} | {{ site.Title }}{{ end }}{{ end }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ site.Title }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}" title="{{ site.Title }}">{{ end }}
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<nav><a href="{{ relURL "articles/" }}">Articles</a> <a href="{{ relURL "topics/" }}">Topics</a> <a href="{{ relURL "people/" }}">People</a> <a href="{{ relURL "places/" }}">Places</a> <a href="{{ relURL "sources/" }}">Sources</a></nav>
</header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
""",
    "home.html": """\
{{ define "main" }}
<h1>Latest</h1>
<ul class="articles">
{{ range first 20 site.RegularPages.ByDate.Reverse }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 Jan 2006" }}</time> {{ with .GetTerms "sources" }}{{ (index . 0).LinkTitle }}{{ end }}</li>
{{ end }}
</ul>
{{ end }}
""",
    "single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006, 15:04" }}</time>
{{ range .GetTerms "sources" }} &middot; <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}
{{ with .Params.url }} &middot; <a href="{{ . }}" rel="external">original</a>{{ end }}</p>
{{ with .Description }}<p class="summary">{{ . }}</p>{{ end }}
<dl class="terms">
<dt>Topics</dt>{{ range .GetTerms "topics" }}<dd><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></dd>{{ end }}
<dt>People</dt>{{ range .GetTerms "people" }}<dd><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></dd>{{ end }}
<dt>Places</dt>{{ range .GetTerms "places" }}<dd><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></dd>{{ end }}
</dl>
{{ .Content }}
{{ with .Params.related }}
<h2>Related</h2>
<ul class="related">
{{ range . }}{{ with site.GetPage (printf "/articles/%s" .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}{{ end }}
</ul>
{{ end }}
</article>
{{ end }}
""",
    "list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
""" + PAGED_ARTICLES,
    "taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul class="terms">
{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>
{{ end }}
</ul>
{{ end }}
""",
    "term.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<p>{{ len .Pages }} articles</p>
""" + PAGED_ARTICLES,
}


def write_hugo(arts, out):
    write_file(os.path.join(out, "hugo.toml"), HUGO_CONFIG)
    for name in sorted(HUGO_LAYOUTS):
        write_file(os.path.join(out, "layouts", name), HUGO_LAYOUTS[name])
    write_file(os.path.join(out, "content", "_index.md"), '+++\ntitle = "Bench Digest"\n+++\n')
    write_file(os.path.join(out, "content", "articles", "_index.md"), '+++\ntitle = "Articles"\n+++\n')
    for a in arts:
        fm = [
            f"title = {toml_str(a['title'])}",
            f"date = {toml_date(a['date'])}",
            f"topics = {toml_list(a['topics'])}",
            f"people = {toml_list(a['people'])}",
            f"places = {toml_list(a['places'])}",
            f"sources = {toml_list([a['source']])}",
        ]
        if a["summary"]:
            fm.append(f"description = {toml_str(a['summary'])}")
        fm += [
            "",
            "[params]",
            f"url = {toml_str(a['url'])}",
            f"related = {toml_list(a['related'])}",
        ]
        write_file(os.path.join(out, "content", "articles", a["slug"] + ".md"),
                   "+++\n" + "\n".join(fm) + "\n+++\n" + a["body"])


def main():
    ap = argparse.ArgumentParser(description="Write a deterministic synthetic news-digest corpus.")
    ap.add_argument("--count", type=int, required=True, help="number of articles")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", choices=["digest", "hugo"], required=True)
    ap.add_argument("--out", required=True, help="folder to write (must not exist or be empty)")
    args = ap.parse_args()
    if args.count < 1:
        ap.error("--count must be at least 1")
    if os.path.isdir(args.out) and os.listdir(args.out):
        sys.exit(f"gen_corpus: {args.out} is not empty")
    arts = Corpus(args.count, args.seed).articles()
    (write_digest if args.format == "digest" else write_hugo)(arts, args.out)
    words = sum(len(a["body"].split()) for a in arts)
    print(f"gen_corpus: {len(arts)} {args.format} articles, {words // len(arts)} words each on average, "
          f"{arts[0]['date']:%Y-%m-%d} to {arts[-1]['date']:%Y-%m-%d} -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

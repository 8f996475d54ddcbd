"""The release check judges words in context: each rule is tested on risky and harmless uses."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from portal.release_check.screening import (
    Finding,
    RulesError,
    default_rules,
    load_rules,
    screen_fields,
    screen_text,
)

CATEGORIES = {
    "Age",
    "Sex or gender",
    "Pregnancy or family plans",
    "Marital status",
    "Sexual orientation",
    "Race or ethnicity",
    "Nationality or accent",
    "Religion",
    "Disability or health",
    "Culture fit",
    "Comparison with other candidates",
    "Too vague to act on",
    # #19: grounds the first rules did not cover
    "Appearance",
    "Military or veteran status",
    "Union membership",
    "Genetic information",
    "Gendered stereotype",
    "Gender identity",
    "Nationality or immigration",
}

# rule id -> category and (text, the exact words that must be reported)
RISKY_CASES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "age-person": (
        "Age",
        [
            ("You came across as a mature candidate.", "mature candidate"),
            ("We are an energetic young team.", "young team"),
            ("You are too old for this role.", "You are too old"),
            ("Seemed a bit young for a lead position.", "Seemed a bit young"),
            ("He is 45 years old, unusual for this level.", "45 years old"),
            ("In your forties the pace may be hard.", "your forties"),
            ("At your age the on-call rota may be tiring.", "your age"),
            ("The older engineers might not relate to you.", "older engineers"),
            ("You're quite young to lead a team.", "You're quite young"),
            ("You were born in 1968.", "born in 1968"),
            ("At 55 you may not keep up.", "At 55 you"),
            ("Someone younger would suit the team.", "Someone younger"),
        ],
    ),
    "age-proxy": (
        "Age",
        [
            ("You might be overqualified for this position.", "overqualified"),
            ("As a digital native you would pick this up.", "digital native"),
            ("We want fresh blood in the department.", "fresh blood"),
            ("We need someone young and hungry.", "young and hungry"),
            ("You are from a different generation.", "from a different generation"),
            ("Millennials tend to move on quickly.", "Millennials"),
        ],
    ),
    "sex-gender": (
        "Sex or gender",
        [
            ("You would join a female-led team.", "female-led"),
            ("As a woman in engineering you stand out.", "woman"),
            ("The girls in the office will like you.", "girls"),
            ("Your style was quite masculine.", "masculine"),
            ("Your gender was not an issue.", "gender"),
        ],
    ),
    "pregnancy": (
        "Pregnancy or family plans",
        [
            ("As you are pregnant, the start may slip.", "pregnant"),
            ("You may need maternity leave soon.", "maternity"),
            ("You are expecting a baby in spring.", "expecting a baby"),
            ("Parental leave would hurt the project.", "Parental leave"),
        ],
    ),
    "family-plans": (
        "Pregnancy or family plans",
        [
            ("Do you plan to start a family?", "start a family"),
            ("You mentioned your family plans.", "family plans"),
            ("You may want to settle down soon.", "settle down"),
        ],
    ),
    "caring-responsibilities": (
        "Pregnancy or family plans",
        [
            ("You said your kids need collecting at five.", "kids"),
            ("With small children, travel could be hard.", "children"),
            ("As a single mother the hours may not suit.", "single mother"),
            ("Childcare could clash with on-call.", "Childcare"),
            ("You are a parent of two.", "parent"),
        ],
    ),
    "marital-status": (
        "Marital status",
        [
            ("Is your husband happy to relocate?", "husband"),
            ("You recently got married.", "got married"),
            ("Your marital status came up.", "marital status"),
            ("As a single man you can travel.", "single man"),
            ("Your partner might not like the hours.", "Your partner"),
        ],
    ),
    "sexual-orientation": (
        "Sexual orientation",
        [
            ("Your sexual orientation was no factor.", "sexual orientation"),
            ("You mentioned that you are gay.", "gay"),
            ("You would like our LGBTQ+ network.", "LGBTQ+"),
        ],
    ),
    "race-ethnicity": (
        "Race or ethnicity",
        [
            ("Your race should not matter.", "race"),
            ("You would add ethnic variety to the group.", "ethnic"),
            ("As a Black engineer you would be visible.", "Black engineer"),
            ("You have an exotic name.", "exotic name"),
            ("Your cultural background is interesting.", "cultural background"),
            ("You would be a diversity hire.", "diversity hire"),
            ("You are Black.", "You are Black"),
        ],
    ),
    "nationality": (
        "Nationality or accent",
        [
            ("What is your nationality?", "nationality"),
            ("Foreigners often struggle here.", "Foreigners"),
            ("The Indian candidate did well.", "Indian candidate"),
            ("We asked where you are originally from.", "where you are originally from"),
            ("You were born in Poland.", "You were born in"),
            ("Your home country works differently.", "Your home country"),
            ("You are German, so the hours suit.", "You are German"),
        ],
    ),
    "native-language": (
        "Nationality or accent",
        [
            ("We need a native speaker.", "native speaker"),
            ("You are a non-native speaker.", "non-native speaker"),
            ("English is not your first language.", "English is not your first language"),
            ("Your broken English slowed you down.", "broken English"),
            ("Your mother tongue is Spanish.", "mother tongue"),
            ("You are not a native English speaker.", "native English speaker"),
            ("Your English is poor.", "Your English is poor"),
        ],
    ),
    "accent": (
        "Nationality or accent",
        [
            ("Your accent was hard to follow.", "accent"),
            ("You have a heavy accent.", "heavy accent"),
            ("You spoke accented English.", "accented"),
            ("Your pronunciation was unclear.", "Your pronunciation"),
        ],
    ),
    "religion": (
        "Religion",
        [
            ("Your religion will not be a problem.", "religion"),
            ("You wear a hijab.", "hijab"),
            ("As a devout Christian you may not work Sundays.", "devout Christian"),
            ("Prayer breaks may disrupt stand-ups.", "Prayer"),
            ("During Ramadan you may be tired.", "Ramadan"),
        ],
    ),
    "disability": (
        "Disability or health",
        [
            ("You seemed deaf to feedback.", "deaf"),
            ("Your disability may affect on-call.", "disability"),
            ("You seemed a bit autistic.", "autistic"),
            ("You are a bit OCD about formatting.", "OCD"),
            ("Your stutter made answers slow.", "Your stutter"),
            ("He uses a wheelchair.", "wheelchair"),
        ],
    ),
    "health": (
        "Disability or health",
        [
            ("You were ill during the interview.", "were ill"),
            ("Your mental health may suffer here.", "mental health"),
            ("You mentioned health issues.", "health issues"),
            ("You called in sick twice.", "called in sick"),
            ("You seemed depressed.", "depressed"),
            ("Your medication might slow you down.", "Your medication"),
        ],
    ),
    "culture-fit": (
        "Culture fit",
        [
            ("You are a great culture fit.", "culture fit"),
            ("You are not a cultural fit.", "cultural fit"),
            ("You will fit in with the team.", "fit in with the team"),
            ("You did not gel with the team.", "gel with the team"),
            ("You are a good fit for the company.", "fit for the company"),
            ("Honestly, you are not one of us.", "not one of us"),
            ("Someone we would have a beer with.", "have a beer with"),
            ("We felt you would not fit in.", "fit in"),
        ],
    ),
    "comparison": (
        "Comparison with other candidates",
        [
            ("You were better than the other candidates.", "than the other candidates"),
            ("You were the strongest candidate we saw.", "strongest candidate we saw"),
            ("Compared to others, your answers were short.", "Compared to others"),
            ("You ranked second.", "ranked second"),
            ("We went with another candidate.", "went with another candidate"),
            ("You stood out from the rest.", "stood out from the rest"),
            ("You were in the top 10% of applicants.", "top 10% of applicants"),
            ("We had many strong applicants.", "many strong applicants"),
            ("Other applicants had more depth.", "Other applicants"),
            ("Others did better.", "Others did better"),
            ("You were our second choice.", "our second choice"),
            ("You came a close second.", "You came a close second"),
            ("We found someone more senior.", "found someone more"),
        ],
    ),
    "vague-verdict": (
        "Too vague to act on",
        [
            ("Good.", "Good"),
            ("  Fine overall.  ", "Fine overall"),
            ("Not a fit.", "Not a fit"),
            ("Didn't feel right.", "Didn't feel right"),
            ("Lacked energy.", "Lacked energy"),
            ("You were great!", "You were great"),
            ("Overall: solid candidate.", "Overall: solid candidate"),
            ("OK", "OK"),
            ("Not impressed.", "Not impressed"),
        ],
    ),
    "vague-phrase": (
        "Too vague to act on",
        [
            ("You were not what we are looking for.", "not what we are looking for"),
            ("Something was missing in your answers.", "Something was missing"),
            ("It just didn't feel right to the panel.", "didn't feel right"),
            ("My gut feeling says no.", "gut feeling"),
            ("Your answers lacked the spark we want.", "lacked the spark"),
            ("You lacked energy throughout.", "lacked energy"),
            ("We can't put our finger on it.", "can't put our finger on"),
        ],
    ),
}

# rule id -> texts that use its words harmlessly and must pass with no finding at all
HARMLESS_CASES: dict[str, list[str]] = {
    "age-person": [
        "We have a mature product with a stable API.",
        "We are a young company with a small team.",
        "Java is an old language, but the team uses it well.",
        "The team's age profile of the codebase is mixed.",
        "You maintained a 10-year-old codebase.",
        "The codebase is 10 years old and you kept it tidy.",
        "The framework seemed old, so you proposed an upgrade.",
        "These tools are showing their age.",
        "Your old team used Scrum.",
        "You showed a mature approach to trade-offs.",
        "They are old hands at Kubernetes.",
        "At 10 you will meet the CTO.",
    ],
    "age-proxy": [
        "You are a recent graduate with a strong portfolio.",
        "You worked for a digital-native retailer.",
        "You researched the Gen Z consumer market.",
        "Your qualifications match what the role needs.",
    ],
    "sex-gender": [
        "She walked us through her design.",
        "Her experience in SQL is strong.",
        "He asked how the on-call rota works.",
        "You explained man-in-the-middle attacks clearly.",
        "You read the man pages before answering.",
        "The female connector on the board was the failure point.",
        "You follow the boy scout rule when refactoring.",
        "You rewrote the job ads in gender-neutral language.",
        "Your estimate in man-hours was realistic.",
        "You did human-centred design and manual testing in Germany.",
    ],
    "pregnancy": [
        "There was a pregnant pause before your answer.",
        "We are expecting a decision from the client by Friday.",
        "You built the booking flow for a maternity clinic app.",
    ],
    "family-plans": [
        "You started a family of microservices for billing.",
        "The market should settle down next year.",
        "You designed a growing family of APIs.",
    ],
    "caring-responsibilities": [
        "The child process crashed and you traced it.",
        "You refactored the child components into hooks.",
        "Our parent company is based in Leeds.",
        "You moved the method into the parent class.",
        "You walked the children of the root node recursively.",
        "The SQL task was child's play for you.",
        "You took baby steps through the refactor.",
        "You built a children's education app.",
    ],
    "marital-status": [
        "You married the two datasets with a clean join.",
        "We support single sign-on.",
        "You removed a single point of failure.",
        "You fixed the outage single-handedly.",
        "Your partner agency sent the brief.",
        "You were not married to your first design.",
        "You got engaged in the conversation quickly and stayed engaged to the end.",
    ],
    "sexual-orientation": [
        "You gave straight answers.",
        "You got straight to the point.",
        "Your customer orientation shows.",
        "You handled screen orientation changes in the app.",
    ],
    "race-ethnicity": [
        "You found the race condition in the queue.",
        "We are in a race to market with two rivals.",
        "You wrote white-box tests and black-box tests.",
        "You drew the architecture on the whiteboard.",
        "Asian markets are our next focus.",
        "You bring diverse experience from three industries.",
        "You were white-listing IP ranges by hand.",
    ],
    "nationality": [
        "The German market is growing.",
        "Our German team will run the second interview.",
        "You rolled the product out nationally, then internationally.",
        "You used a foreign key constraint correctly.",
        "You built a foreign exchange API.",
        "Your roots in the Python community show.",
        "The idea was born in a hackathon.",
        "You are fluent in German.",
    ],
    "native-language": [
        "You built a native mobile app.",
        "You know React Native and cloud-native architecture.",
        "Python was your first language.",
        "Your first language was Python.",
        "You explained it in plain English.",
        "You wrapped the non-native UI components.",
        "Your English was fluent and clear.",
    ],
    "accent": [
        "You fixed the accented characters in the export.",
        "You chose the accent colour for the buttons.",
        "The accent was on delivery speed.",
        "You put the accent on testing.",
        "Your pronunciation of nginx was right.",
    ],
    "religion": [
        "You are religious about testing.",
        "You religiously write tests first.",
        "The Christmas rush is our busiest time.",
        "The Easter release went smoothly.",
        "You took a leap of faith on the new stack.",
        "Your faith in the test suite was justified.",
        "The deploy is cloud-agnostic.",
        "That hack isn't quite kosher.",
        "Christian from our platform team will call you.",
        "You practised your answers aloud.",
    ],
    "disability": [
        "You have a blind spot around caching.",
        "We use blind review for take-home tasks.",
        "It was a crazy deadline.",
        "You ran a double-blind experiment.",
        "You used colour-blind safe palettes.",
        "You added captions for deaf and hard-of-hearing users.",
        "The features were disabled by default.",
        "You disabled the cache to reproduce the bug.",
        "You fixed a stutter in the scrolling animation.",
    ],
    "health": [
        "You seemed ill-prepared for the design round.",
        "You resolved the cluster health issues.",
        "You added a health check endpoint.",
        "You were sick of flaky tests, so you fixed them.",
        "Your diagnosis of the memory leak was quick.",
        "You priced for depressed demand in the downturn.",
        "We offer mental health support to all staff.",
    ],
    "culture-fit": [
        "The role is a good fit for your skills.",
        "Your experience fits the role's requirements.",
        "You asked about our engineering culture.",
        "Your design is fit for purpose.",
        "You led a cultural change programme.",
        "You asked how your project would fit in with the team's roadmap.",
        "Your design fits into the company's data strategy.",
        "The task would fit in a sprint.",
    ],
    "comparison": [
        "Compared to last year's revenue, growth is strong.",
        "You compared the new release with the previous one.",
        "Your version is faster than the old implementation.",
        "You shipped the release candidate on time.",
        "You spotted a good candidate for automation.",
        "You ranked the bugs by severity.",
        "Our app ranked second in the app store.",
        "You are a strong candidate for the next round.",
        "Your answer on caching stood out.",
        "This design scales better than the others you considered.",
        "We face stiff competition in the payments market.",
        "You came first in a hackathon last year.",
        "You have interviewed many candidates as a hiring manager.",
        "Postgres was your first choice for the store.",
        "You chose another framework for the second exercise.",
    ],
    "vague-verdict": [
        "Good use of concrete examples when you described the migration.",
        "Fine-grained permissions were a strong part of your design.",
        "Good: you asked about the on-call rota and the release process.",
        "Not a fit for the data role, which needs daily SQL; the platform role suits your Go.",
        "Great question about our release cadence.",
    ],
    "vague-phrase": [
        "You noticed something was missing in the requirements and asked about it.",
        "You trusted data over gut feeling.",
        "You designed for low energy consumption on mobile.",
        "Remote-only work is not what we are looking for in this role because the team "
        "meets on site weekly.",
        "You said the previous role didn't feel right for your growth.",
        "Your answers lacked energy when you described the migration.",
    ],
}

# #19: the rules added for grounds the first set missed (each with risky and harmless uses).
RISKY_CASES.update(
    {
        "immigration": ("Nationality or accent", [
            ("You would need visa sponsorship to take the role.", "would need visa sponsorship"),
            ("Your work permit ends next year.", "work permit"),
        ]),
        "race-proxy": ("Race or ethnicity", [
            ("You were very articulate for someone from that school.", "articulate for someone"),
            ("Clients there like their own kind.", "their own kind"),
        ]),
        "disability-aids": ("Disability or health", [
            ("You wear hearing aids, which could be hard in meetings.", "hearing aids"),
        ]),
        "health-conditions": ("Disability or health", [
            ("You seemed quite overweight for the site visits.", "overweight"),
            ("You take medication for your nerves.", "medication for"),
        ]),
        "appearance": ("Appearance", [
            ("Your tattoos would not suit our clients.", "tattoos"),
            ("You are very attractive, clients would like that.", "attractive"),
        ]),
        "military": ("Military or veteran status", [
            ("As an ex-army officer you may be rigid.", "ex-army"),
            ("Being a reservist you could be called up.", "reservist"),
        ]),
        "union": ("Union membership", [
            ("You were a union rep before, which worries us.", "union rep"),
            ("You might unionise the team.", "unionise"),
        ]),
        "genetic": ("Genetic information", [
            ("You said heart disease runs in your family.", "runs in your family"),
            ("You mentioned a genetic test result.", "genetic test"),
        ]),
        "gendered-stereotype": ("Gendered stereotype", [
            ("You were a bit emotional about your last manager.", "a bit emotional"),
            ("Quite assertive for a woman.", "assertive for a woman"),
        ]),
        "culture-fit-social": ("Culture fit", [
            ("I can't see us having a pint with him.", "a pint with him"),
            ("He has a different vibe from the team.", "different vibe"),
        ]),
        "age-career-stage": ("Age", [
            ("You are a few years off retirement.", "years off retirement"),
            ("We wanted a recent graduate.", "wanted a recent graduate"),
        ]),
        "comparison-hired": ("Comparison with other candidates", [
            ("The person we hired answered this better.", "The person we hired"),
            ("You were pipped at the post.", "pipped at the post"),
        ]),
        "vague-verdict-more": ("Too vague to act on", [
            ("Not senior enough.", "Not senior enough"),
            ("Didn't really blow us away.", "Didn't really blow us away"),
        ]),
    }
)  # fmt: skip
HARMLESS_CASES.update(
    {
        "immigration": [
            "You built the Visa and Mastercard checkout flows.",
            "You integrated the Visa payments API.",
        ],
        "race-proxy": ["You mapped delivery times by postcode for the depot."],
        "disability-aids": ["You designed the checkout to work with screen readers."],
        "health-conditions": [
            "You handled the heavy load on the database well.",
            "You cut the heavy queries on the reporting database.",
        ],
        "appearance": [
            "Your slides were attractive and uncluttered.",
            "Your answer was pretty clear.",
        ],
        "military": [
            "You chose military-grade encryption for the backups.",
            "You are a veteran of three platform migrations.",
        ],
        "union": ["You used a union type to model the event payloads."],
        "genetic": ["You worked on genetic algorithms for route planning."],
        "gendered-stereotype": ["You showed emotional intelligence when the client pushed back."],
        "culture-fit-social": ["You asked how the team shares knowledge across offices."],
        "age-career-stage": ["You walked us through the retirement savings calculator you built."],
        "comparison-hired": ["You asked how the team onboards new hires."],
        "vague-verdict-more": [
            "Not senior enough for the staff role: you had not yet led a design review."
        ],
    }
)

RISKY_CASES.update(
    {
        "age-generation": ("Age", [
            ("You grew up in the 70s, so the tooling may be new to you.", "grew up in the 70s"),
            ("Someone with the energy of a younger person would suit us.", "energy of a younger"),
        ]),
        "origin-proxy": ("Nationality or accent", [
            ("Where are you really from, originally?", "really from"),
            ("You might move back home.", "might move back home"),
        ]),
        "race-coded": ("Race or ethnicity", [
            ("You were quite dark-skinned for the brand campaign.", "dark-skinned"),
            ("People like him rarely stay.", "People like him"),
        ]),
        "health-more": ("Disability or health", [
            ("You had a stroke last year.", "had a stroke"),
            ("You had surgery last year, so the pace may be hard.", "had surgery"),
        ]),
        "appearance-more": ("Appearance", [
            ("You looked a bit scruffy for a client role.", "scruffy"),
            ("You were a bit short for the stage work.", "a bit short"),
        ]),
        "military-more": ("Military or veteran status", [
            ("You did two tours of duty, so the office may feel slow.", "tours of duty"),
            ("Your combat experience worries the team.", "combat experience"),
        ]),
        "union-more": ("Union membership", [
            ("You seem like a union activist.", "union activist"),
            ("You led a union drive at the warehouse.", "led a union drive"),
        ]),
        "genetic-more": ("Genetic information", [
            ("You have a hereditary condition, which is a risk.", "hereditary condition"),
            ("You are genetically prone to heart trouble.", "genetically prone"),
        ]),
        "stereotype-more": ("Gendered stereotype", [
            ("You lack the killer instinct for sales.", "lack the killer instinct"),
            ("Too nice to lead the team.", "Too nice to lead the team"),
        ]),
        "culture-fit-more": ("Culture fit", [
            ("You would not be one of the lads.", "one of the lads"),
            ("We want people like us.", "people like us"),
        ]),
        "comparison-more": ("Comparison with other candidates", [
            ("You were runner-up for the role.", "runner-up"),
            ("The other finalists had more depth.", "The other finalists"),
        ]),
        "vague-verdict-short": ("Too vague to act on", [
            ("Nothing special.", "Nothing special"),
            ("Didn't really impress us.", "Didn't really impress us"),
        ]),
        "gender-identity": ("Gender identity", [
            ("Since they are non-binary, some clients might feel awkward.", "non-binary"),
            ("She is a trans woman, which the client may not accept.", "trans woman"),
            ("He transitioned last year, and the team is traditional.", "He transitioned"),
            ("Your pronouns came up and the panel was unsure.", "Your pronouns"),
            ("The team kept misgendering him; we thought it best not to proceed.",
             "misgendering"),
        ]),
    }
)  # fmt: skip
RISKY_CASES["sexual-orientation"][1].extend(
    [
        ("He mentioned his boyfriend twice.", "He mentioned his boyfriend"),
        ("She talked about her wife and their move.", "She talked about her wife"),
        ("Since he came out, clients have asked about him.", "came out"),
    ]
)
HARMLESS_CASES["sexual-orientation"].extend(
    [
        "Your design came out cleaner than the first draft.",
        "The numbers came out wrong because of the rounding.",
    ]
)
HARMLESS_CASES.update(
    {
        "age-generation": ["You described the 1990s mainframe migration you studied."],
        "origin-proxy": ["You asked where the team is based."],
        "race-coded": ["You explained the dark mode design for the app."],
        "health-more": ["You described the chronic underfunding of the test suite."],
        "appearance-more": ["Your summary was a bit short; add the result."],
        "military-more": ["You explained the army of microservices you retired."],
        "union-more": ["You organised the hackathon at your last job."],
        "genetic-more": ["You explained inherited classes in the codebase."],
        "stereotype-more": ["You said the first version was too slow to ship."],
        "culture-fit-more": ["You asked how people on the team review each other's work."],
        "comparison-more": ["You listed your top three priorities for the first month."],
        "vague-verdict-short": [
            "Nothing special was needed for the migration: you used the standard tooling."
        ],
        "gender-identity": [
            "You explained the transition from the old stack to the new one clearly.",
            "Your transition plan for the database kept both versions running.",
            "He transitioned the team to trunk-based development.",
            "You handled the pronouns in the copy of the onboarding emails well.",
        ],
    }
)

# #19: vocabulary by ground
RISKY_CASES.update(
    {
        "age-vocabulary": ('Age', [
            ('With over two decades in the industry, you might find our tooling basic.', 'over two decades in'),
            ('He has been coding since the 80s and may not adapt.', 'coding since the 80s'),
            ('The office is very young and we wondered if you would settle in.', 'office is very young'),
            ('You brought a youthful energy to the room.', 'youthful'),
        ]),
        "orientation-vocabulary": ('Sexual orientation', [
            ('He came across as a bit camp for the client meetings.', 'a bit camp'),
            ('She was rather flamboyant for the boardroom.', 'flamboyant'),
            ('Not sure his lifestyle would go down well with the Riyadh client.', 'his lifestyle'),
        ]),
        "religion-vocabulary": ('Religion', [
            ('He would need holy days off, which is a worry.', 'holy days'),
            ('She prays several times a day, which could disrupt the schedule.', 'prays'),
            ('His cross necklace might put some clients off.', 'cross necklace'),
        ]),
        "race-vocabulary": ('Race or ethnicity', [
            ('Her surname may be tricky for our clients to pronounce.', 'surname may be tricky for our clients to pronounce'),
            ('Well presented, considering his background.', 'considering his background'),
            ('Our team is mostly white and she might feel out of place.', 'mostly white'),
            ('His name might be hard for clients to pronounce.', 'name might be hard for clients to pronounce'),
        ]),
        "nationality-vocabulary": ('Nationality or accent', [
            ("We'd prefer someone who is not from overseas for this role.", 'someone who is not from overseas'),
            ('Being Nigerian, he might move back after a couple of years.', 'Being Nigerian'),
            ('The candidate sounded very foreign on the phone.', 'The candidate sounded very foreign'),
        ]),
        "immigration-vocabulary": ('Nationality or immigration', [
            ('He is on a student visa, which complicates things.', 'on a student visa'),
            ("She'll need sponsorship down the line, so we passed.", 'need sponsorship'),
            ('His right to work is only temporary.', 'His right to work'),
        ]),
        "disability-vocabulary": ('Disability or health', [
            ('His leg brace would make the warehouse walk-rounds slow.', 'leg brace'),
            ('Her hearing seemed poor in the group exercise.', 'Her hearing'),
            ('She lip-reads, so video calls might be hard.', 'lip-reads'),
        ]),
        "health-vocabulary": ('Disability or health', [
            ('She had two surgeries last spring, which worries us.', 'surgeries'),
            ('Her blood pressure might be an issue on the trading floor.', 'Her blood pressure'),
            ('He is in remission, so the travel may be too much.', 'remission'),
        ]),
        "gender-identity-vocabulary": ('Gender identity', [
            ("She mentioned she's transitioning and the client is traditional.", "mentioned she's transitioning"),
            ('We think the client may not accept a trans candidate.', 'trans candidate'),
        ]),
        "union-vocabulary": ('Union membership', [
            ('He was active in his local union, which is a concern.', 'active in his local union'),
            ('She is a Unison rep and we worry about the restructure.', 'Unison rep'),
            ("Feels like the type who'd try to organise the depot.", "type who'd try to organise the depot"),
        ]),
        "genetic-vocabulary": ('Genetic information', [
            ('There is cancer in his family, so long projects are a risk.', 'cancer in his family'),
            ('She did a DNA test that showed a risk of heart disease.', 'DNA test'),
        ]),
        "culture-fit-vocabulary": ('Culture fit', [
            ("He didn't have the vibe we look for.", "didn't have the vibe"),
            ("Not sure she'd be much fun at the Friday socials.", 'fun at the Friday socials'),
            ("Wouldn't fit in with the lads.", 'fit in with the lads'),
        ]),
        "comparison-vocabulary": ('Comparison with other candidates', [
            ('The rest of the shortlist was more experienced.', 'rest of the shortlist'),
            ("You ranked fourth of six on the panel's scores.", 'ranked fourth of'),
            ('The successful candidate had more SQL.', 'The successful candidate'),
        ]),
        "vague-vocabulary": ('Too vague to act on', [
            ('Not quite there yet.', 'Not quite there yet'),
            ('Meh, average overall.', 'Meh, average overall'),
            ('Needs a bit more polish.', 'Needs a bit more polish'),
        ]),
    }
)  # fmt: skip
HARMLESS_CASES.update(
    {
        "age-vocabulary": ['The billing platform has two decades of history behind it.', 'The project started in the 90s and still runs nightly.'],
        "orientation-vocabulary": ['You ran the orientation session for new joiners well.', 'You described the boot camp you ran for new hires.'],
        "religion-vocabulary": ["You treated the style guide as the team's bible.", 'Testing is almost a religion here, so expect questions on it.'],
        "race-vocabulary": ['You chose a mostly white background for the dashboard, which helps contrast.'],
        "nationality-vocabulary": ['You explained foreign keys and how they protect the orders table.'],
        "immigration-vocabulary": ['You built the visa-processing workflow for our travel product.', 'This role does not offer visa sponsorship.'],
        "disability-vocabulary": ["You designed the flow with screen-reader users' needs in mind.", 'You explained how the service falls back to limp mode when the cache is down.'],
        "health-vocabulary": ['You described how you spread the on-call load to avoid burnout.', 'You explained the surgery on the legacy billing code step by step.'],
        "gender-identity-vocabulary": ['She explained the transition from REST to events.'],
        "union-vocabulary": ['You computed the union of the two sets in linear time.', 'You explained the union types in the TypeScript models.'],
        "genetic-vocabulary": ['Cost awareness is in your DNA, judging by the cloud savings example.'],
        "culture-fit-vocabulary": ['You explained how the new service would fit in with the rest of the platform.'],
        "comparison-vocabulary": ['You explained how the candidate pool feature of our ATS filters duplicates.'],
        "vague-vocabulary": ['Not quite there yet on SQL: you did not use a join where the question needed one.', 'Your portfolio looked polished and well organised.'],
    }
)  # fmt: skip


RISKY = [
    (rule_id, category, text, matched)
    for rule_id, (category, cases) in RISKY_CASES.items()
    for text, matched in cases
]
HARMLESS = [(rule_id, text) for rule_id, texts in HARMLESS_CASES.items() for text in texts]


def _id(case: tuple) -> str:
    return f"{case[0]}: {case[-2] if len(case) == 4 else case[-1]}"


@pytest.mark.parametrize(("rule_id", "category", "text", "matched"), RISKY, ids=map(_id, RISKY))
def test_risky_wording_is_flagged(rule_id, category, text, matched):
    findings = screen_text(text)
    hits = [f for f in findings if f.category == category and f.matched == matched]
    assert hits, f"expected {category!r} on {matched!r}, got {findings}"
    finding = hits[0]
    assert finding.rule_id == rule_id
    assert finding.field == "text"
    assert text[finding.start : finding.end] == matched
    assert finding.explanation.strip()
    assert finding.suggestion.strip()


@pytest.mark.parametrize(("rule_id", "text"), HARMLESS, ids=map(_id, HARMLESS))
def test_harmless_wording_passes(rule_id, text):
    assert screen_text(text) == []


def test_every_rule_is_tested_on_risky_and_harmless_uses():
    rule_ids = {rule.id for rule in default_rules()}
    assert {case[0] for case in RISKY} == rule_ids
    assert {case[0] for case in HARMLESS} == rule_ids


def test_the_tables_are_large_enough_to_mean_something():
    assert len(RISKY) >= 60
    assert len(HARMLESS) >= 60


def test_risky_table_matches_each_rules_declared_category():
    categories = {rule.id: rule.category for rule in default_rules()}
    for rule_id, category, _, _ in RISKY:
        assert categories[rule_id] == category


def test_rules_use_known_categories_and_explain_themselves():
    rules = default_rules()
    assert {rule.category for rule in rules} == CATEGORIES
    for rule in rules:
        assert len(rule.explanation) > 40, rule.id
        assert len(rule.suggestion) > 40, rule.id


def test_rules_are_loaded_once():
    assert default_rules() is default_rules()


def test_a_realistic_scorecard_passes_clean():
    fields = {
        "strengths": (
            "You explained how you moved the nightly batch job to an event-driven pipeline, "
            "with the trade-offs you weighed and the numbers before and after. Your questions "
            "about our on-call rota and release process showed you had read the job description."
        ),
        "improvements": (
            "When asked about a disagreement with a colleague, your answer stayed general. "
            "The role involves weekly design reviews, so a specific example would have helped."
        ),
        "practice_suggestions": (
            "Prepare two stories using situation, task, action and result. Practise sketching "
            "a system on a whiteboard in ten minutes, naming the parent and child services."
        ),
        "insight_plans": "We are a young company; next year we open an office in Lisbon.",
        "insight_competitors": "Two competitors in the German market are hiring data engineers.",
        "insight_role_fit": "The role is a good fit for your skills in Python and SQL.",
        "next_step": "A 45-minute second interview with the team lead, including a case study.",
    }
    assert screen_fields(fields) == []


def test_offsets_point_into_the_original_text_with_typographic_apostrophes():
    text = "Overall it didn\u2019t feel right to us."
    [finding] = screen_text(text)
    assert finding.matched == "didn\u2019t feel right"
    assert text[finding.start : finding.end] == finding.matched


def test_matching_ignores_case_and_reports_the_original_spelling():
    [finding] = screen_text("WE NEED A NATIVE SPEAKER.")
    assert finding.matched == "NATIVE SPEAKER"
    assert (finding.start, finding.end) == (10, 24)


def test_matches_are_whole_words_only():
    assert screen_text("Many managers asked about Germany and the amendment.") == []


def test_findings_come_in_order_of_position():
    text = "You are a culture fit, but your accent and your age worried us."
    findings = screen_text(text)
    assert [f.category for f in findings] == [
        "Culture fit",
        "Nationality or accent",
        "Age",
    ]
    assert [f.start for f in findings] == sorted(f.start for f in findings)


def test_overlapping_matches_of_one_category_are_reported_once():
    findings = screen_text("You would join a female-led team.")
    assert [(f.category, f.matched) for f in findings] == [("Sex or gender", "female-led")]
    assert len(screen_text("Didn't feel right.")) == 1


def test_the_same_words_can_raise_different_categories():
    findings = screen_text("A young woman would balance the team.")
    assert {(f.category, f.matched) for f in findings} == {
        ("Age", "young woman"),
        ("Sex or gender", "woman"),
    }


def test_a_vague_verdict_is_flagged_only_as_the_whole_field():
    [finding] = screen_text("  Good.  ")
    assert (finding.start, finding.end, finding.matched) == (2, 6, "Good")
    assert screen_text("Good answer on caching: you named the eviction policy.") == []


def test_a_reason_after_an_empty_phrase_makes_it_concrete():
    assert screen_text("You were not what we were looking for.") != []
    assert (
        screen_text("SQL-only work is not what we were looking for: the role is mostly Go.") == []
    )


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_has_no_findings(text):
    assert screen_text(text) == []


def test_the_field_name_is_carried_on_each_finding():
    [finding] = screen_text("You ranked second.", field="improvements")
    assert finding.field == "improvements"


def test_findings_are_immutable():
    [finding] = screen_text("You ranked second.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.matched = "something else"


def test_screen_fields_keeps_field_order_then_offset_order():
    fields = {
        "strengths": "Clear answers.",
        "next_step": "We went with another candidate; you are a culture fit elsewhere.",
        "improvements": None,
        "insight_role_fit": "",
        "practice_suggestions": "   ",
        "example_presence": "Good.",
    }
    findings = screen_fields(fields)
    assert [(f.field, f.category) for f in findings] == [
        ("next_step", "Comparison with other candidates"),
        ("next_step", "Culture fit"),
        ("example_presence", "Too vague to act on"),
    ]
    for finding in findings:
        assert fields[finding.field][finding.start : finding.end] == finding.matched


def test_screen_fields_follows_the_mapping_not_the_alphabet():
    findings = screen_fields({"zeta": "Your accent was strong.", "alpha": "You ranked second."})
    assert [f.field for f in findings] == ["zeta", "alpha"]


def test_screen_fields_with_nothing_to_screen():
    assert screen_fields({}) == []
    assert screen_fields({"strengths": None, "improvements": ""}) == []


def test_screen_fields_returns_plain_findings():
    [finding] = screen_fields({"strengths": "You ranked second."})
    assert isinstance(finding, Finding)
    assert dataclasses.asdict(finding) == {
        "field": "strengths",
        "rule_id": "comparison",
        "category": "Comparison with other candidates",
        "matched": "ranked second",
        "start": 4,
        "end": 17,
        "explanation": finding.explanation,
        "suggestion": finding.suggestion,
        "ground": "Other candidates",
        "basis": (
            {
                "pack": "practice",
                "name": "Good practice",
                "law": "Other applicants' details are their personal data "
                "(UK GDPR and GDPR, art. 5 and 6)",
            },
        ),
    }


# --- The rules file --------------------------------------------------------------------------

TERMS = """
[grounds]
family = "Family"

[packs.here]
name = "Here"
summary = "The law here."
[packs.here.grounds]
family = "The Family Act, s.1"

[terms]
tech = "company|class"
"""

RULE = """
[[rules]]
id = "parent"
category = "Pregnancy or family plans"
ground = "family"
patterns = ['parents?']
unless = ['parent\\s+(?:{tech})']
explanation = "Why it matters."
suggestion = "What to write."
"""

GOOD_RULE = TERMS + RULE


def write_rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def spans(rule, text: str) -> list[str]:
    return [text[start:end] for start, end in rule.spans(text)]


def test_a_rules_file_with_terms_and_unless_contexts(tmp_path):
    [rule] = load_rules(write_rules(tmp_path, GOOD_RULE))
    assert rule.id == "parent" and rule.scope == "anywhere"
    assert spans(rule, "A parent company.") == []
    assert spans(rule, "A parent class and a parent of two.") == ["parent"]
    assert spans(rule, "Apparently transparent.") == []


def test_a_context_far_before_the_match_does_not_excuse_it(tmp_path):
    rules = GOOD_RULE.replace("parent\\s+(?:{tech})", "company\\b.*")
    [rule] = load_rules(write_rules(tmp_path, rules))
    assert spans(rule, "Our company, parent of two.") == []
    assert spans(rule, "Our company" + " " * 100 + "parent") == ["parent"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("{tech}", "{nope}"), "unknown term {nope}"),
        (("'parents?'", "'parents(?'"), "invalid pattern"),
        (('explanation = "Why it matters."', 'explanation = " "'), "non-empty explanation"),
        (('id = "parent"', 'id = ""'), "no id"),
        (("[[rules]]", '[[rules]]\nscope = "sentence"'), "scope 'sentence'"),
        (("[[rules]]", '[[rules]]\ncolour = "red"'), "unknown keys: colour"),
        (("patterns = ['parents?']", "patterns = []"), "at least one word or pattern"),
        (('ground = "family"', 'ground = "hobbies"'), "unknown ground 'hobbies'"),
        (('family = "The Family Act, s.1"', 'familee = "The Family Act"'), "unknown ground"),
        (('family = "The Family Act, s.1"', 'family = " "'), "the law behind 'family'"),
        (('summary = "The law here."', 'summary = ""'), "non-empty summary"),
        (('name = "Here"', 'name = "Here"\nalways = true'), "one pack an admin can choose"),
        (("unless = ['parent", "unless = [1, 'parent"), "list of non-empty strings"),
        (("[[rules]]", "[[rules"), "rules.toml"),
        (("{tech}", "{tech2}"), "unknown term {tech2}"),
        (("{tech}", "{Tech-words}"), "unknown term {Tech-words}"),
        (('tech = "company|class"', 'tech = "company|{x}"'), "uses another term"),
        (("[terms]", "[modle]\nflag = 0.5\n\n[terms]"), "unknown tables: modle"),
    ],
)
def test_a_malformed_rules_file_is_refused(tmp_path, change, message):
    old, new = change
    assert old in GOOD_RULE
    with pytest.raises(RulesError, match=re.escape(message)):
        load_rules(write_rules(tmp_path, GOOD_RULE.replace(old, new, 1)))


def test_duplicate_rule_ids_are_refused(tmp_path):
    with pytest.raises(RulesError, match="Duplicate rule ids: parent"):
        load_rules(write_rules(tmp_path, TERMS + RULE + RULE))


def test_an_empty_rules_file_is_refused(tmp_path):
    with pytest.raises(RulesError, match="no rules"):
        load_rules(write_rules(tmp_path, TERMS))

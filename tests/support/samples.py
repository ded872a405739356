"""A complete, realistic answer set for each shipped worksheet: every item shown is answered.

Written as a client might write them (plain words, a line break here and there),
valid for the definitions in `worksheets/` (tests/test_pdf_samples.py checks that
with the worksheet form's final validation). Use `sample_answers(worksheet_id)`
to get a copy you may change.
"""

from __future__ import annotations

import copy
from typing import Any

SAMPLE_ANSWERS: dict[str, dict[str, Any]] = {
    "origins-mapping": {
        "caregiving-resonance": 4,
        "caregiving-memory": (
            "My dad would be playful and warm on Sunday and then not speak to anyone for days. "
            "I learned to check his face when he came through the door."
        ),
        "caregiving-lesson": "That love can switch off without warning, so I have to keep watch for the signs.",
        "caregiving-now": (
            "When Sam goes quiet after work I replay the day looking for what I did wrong.\n"
            "I usually end up asking if we are okay two or three times."
        ),
        "betrayal-resonance": 3,
        "betrayal-memory": "My ex kept a second phone for most of a year. I found it while tidying the car.",
        "betrayal-lesson": "People who seem safe can lie to your face, and I will be the last to know.",
        "betrayal-now": "I feel a jolt whenever Sam's phone lights up and they turn it face down.",
        "worth-resonance": 3,
        "worth-memory": "At school I was the friend people called when the fun friend was busy.",
        "worth-lesson": "That I have to be easy and useful, or people drift off to someone better.",
        "worth-now": "I agree to plans I don't want and then feel resentful that nobody asked.",
        "comparison-resonance": 1,
        "comparison-example": "A colleague's partner sent flowers to the office on a random Tuesday.",
        "comparison-lesson": "That proper couples are romantic all the time and quiet weeks mean trouble.",
        "comparison-now": "Mostly fine now. I muted a couple of accounts and that helped.",
        "behaviours-now": ["asking-reassurance", "checking", "doubting-good-moments"],
        "pattern-scope": "most-relationships",
        "pattern-what-changed": "It got louder after we moved in together last spring, though it was there before.",
        "anything-else": "I am nervous about talking about my dad, but I think it matters.",
    },
    "partner-source-checklist": {
        "afraid": "no",
        "checks-phone": "no",
        "controls-people": "no",
        "controls-money": "no",
        "threats": "no",
        "pushes-hits": "no",
        "forced-sex": "no",
        "uses-confided": "no",
        "hot-cold": "know",
        "hot-cold-example": "Affectionate all weekend, then barely a word on Monday when I asked about dinner.",
        "lying": "suspect",
        "lying-example": "Said they were at the gym, but their gym bag had not moved from the hall.",
        "dismissing": "know",
        "dismissing-example": "When I said the cancelled trip upset me, Sam said I was making a big deal out of nothing.",
        "mixed-signals": "suspect",
        "mixed-signals-example": "Talked about getting a dog together, then said it was too early to plan that far ahead.",
        "disappointments": "know",
        "disappointments-example": "Saying they will call at lunch and then not calling, most weeks.",
        "infidelity": "suspect",
        "infidelity-repair": "partly",
        "infidelity-example": "Sam would not explain a message from an ex last spring. More open since, but not fully.",
        "relief-fades": "often",
        "ordinary-triggers": "often",
        "stays-when-steady": "sometimes",
        "good-times": "sometimes",
        "not-enough": "often",
        "bigger-than-event": "sometimes",
        "outside-situation": "Sam did not answer my texts for a whole evening out with work friends.",
        "outsider-concern": "unsure",
        "outsider-concern-why": "A friend said the missed calls would bother her too, but my sister thinks I overreact.",
        "partner-response": "varies",
        "partner-response-example": (
            "Last month I said I felt on edge and Sam hugged me and asked what would help.\n"
            "Two weeks later the same words started an argument."
        ),
        "insecurity-began": "before-this",
        "began-what-changed": "Moving in together made it more intense, but I felt it with my last partner too.",
        "other-partners": "yes",
        "anything-else": "I do not want to make Sam the villain here. I want to understand my part.",
    },
    "security-building-plan": {
        "trust-qualities": ["honest", "reliable", "responds", "safe-to-be-honest"],
        "partner-measures-up": 2,
        "worth-depends": 3,
        "worth-reminder": "You are allowed to take up space. People stay because they want to, not because you earned it.",
        "meaning-sources": "Running on Saturday mornings, reading, and volunteering at the food bank once a month.",
        "weekly-actions": "A Saturday run with the club and one evening a week that is just mine.",
        "habits-to-change": ["reassurance", "checking", "self-effacing"],
        "habits-instead": "Write the worry in my notes app and wait twenty minutes before saying anything.",
        "not-knowing": "Reminding myself that Sam came home every other time, and going for a run.",
        "safe-to-tell": "yes",
        "script-feeling": "I have been feeling uneasy this week, and I don't think it is about anything you did.",
        "script-news": "When plans change late, I notice I feel on edge. It would help me if you texted when you can.",
        "therapy-focus": ["origins", "self-worth", "habits", "communication"],
        "therapy-kinds": ["attachment", "somatic"],
        "goals": [
            {
                "goal": "Ask for reassurance at most once a day",
                "goal-first-step": "Keep a tally on my phone for one week to see where I start from.",
                "goal-check-in": "2026-04-14",
            },
            {
                "goal": "Go to the painting class",
                "goal-first-step": "Email the community centre about the Thursday class.",
                "goal-check-in": "2026-04-28",
            },
            {
                "goal": "Tell Sam one honest preference each week",
                "goal-first-step": "Pick the film on Friday night.",
                "goal-check-in": "2026-05-12",
            },
        ],
        "anything-else": "I would like us to look at the argument where Sam used what I told them about my dad.",
    },
    "behaviour-log": {
        "episodes": [
            {"when": "2026-03-02", "trigger": "No reply to my text for three hours.", "thought": "Sam is bored of me.",
             "intensity": 8, "urge": "reassurance", "acted": "yes", "instead": "Nothing, I asked straight away.", "relief": "hours"},
            {"when": "2026-03-04", "trigger": "Sam went out with work friends.", "thought": "They have more fun without me.",
             "intensity": 6, "urge": "checking", "acted": "no", "instead": "Called my sister and went for a run.",
             "relief": "hours"},
            {"when": "2026-03-06", "trigger": "A short goodnight text.", "thought": "Something is wrong.",
             "intensity": 4, "urge": "reassurance", "acted": "yes", "instead": "Nothing this time.", "relief": "minutes"},
        ],
        "noticed": "Most of it happens in the evening when I am tired and alone.",
    },
    "jealousy": {
        "what-happened": "Sam stayed late at a work party and laughed a lot with a new colleague.",
        "threatened": ["being-replaced", "not-enough"],
        "feeling-strength": 9,
        "how-likely": 2,
        "facts": "Sam texted me from the party and came home when they said. The colleague is married.",
        "fear-about": "My ex left me for someone from work. It feels like the same story starting.",
        "urge-to-do": ["ask-questions", "check"],
        "feel-secure": "Knowing roughly when Sam will be home, and a hug when they get in.",
        "could-ask": "Could you text me when you leave? It helps me settle.",
    },
    "comparison-and-cycle": {
        "compared-with": "My friend's anniversary photos from a weekend in Rome.",
        "compare-feeling": 1,
        "cannot-see": "She told me last year they nearly split up. I do not see their rows online.",
        "my-fear": "That Sam is pulling away from me.",
        "what-i-did": "Asked three times in one evening if we were okay.",
        "partner-response": "Sam got quiet and went to bed early.",
        "what-i-concluded": "That I was right, and Sam is pulling away.",
        "next-round": "The next day I asked again, and we argued.",
        "break-point": "After the first ask, write the worry down instead of asking again.",
    },
    "talking-to-my-partner": {
        "safe-to-tell": "yes",
        "what-i-feel": "Uneasy when plans change at the last minute.",
        "what-i-need": "A text when you will be late.",
        "not-asking-for": "I am not asking you to stop seeing your friends.",
        "script-words": "I have been feeling on edge lately, and I am not sure it is about anything you did. "
                        "It would help me if you texted when plans change.",
        "how-received": "listened",
        "what-learned": "Sam did not know the late texts mattered so much. It went better than I feared.",
    },
    "weekly-check-in": {
        "felt-secure": 6,
        "worried": 5,
        "acted-on-urges": 3,
        "felt-close": 7,
        "goal-progress": "some",
        "week-note": "I noticed I worry most on Sunday evenings.",
    },
}


# Every shipped worksheet has a sample (tests/test_pdf_samples.py checks it), so this names them all.
SHIPPED = tuple(sorted(SAMPLE_ANSWERS))


def sample_answers(worksheet_id: str) -> dict[str, Any]:
    """A fresh copy of the sample answers for one worksheet (safe to change)."""
    return copy.deepcopy(SAMPLE_ANSWERS[worksheet_id])

# The three worksheets Groundwork first shipped: the PDF, packet and FHIR tests use them.
WORKSHEETS = ("origins-mapping", "partner-source-checklist", "security-building-plan")

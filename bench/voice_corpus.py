"""Text for the voice benchmark: everyday non-wake speech, near misses, wake utterances.

Plain data and a deterministic generator; no engine imports. Nothing here contains the
wake phrase except :data:`WAKE_UTTERANCES`.
"""

from __future__ import annotations

import itertools
import random

GENERAL = [
    "Good morning, did you sleep well last night?",
    "I think we should leave a little earlier to avoid the traffic.",
    "The meeting has been moved to Thursday afternoon.",
    "Can you pass me the salt and the pepper, please?",
    "My sister is coming to visit us next weekend.",
    "The train was delayed by almost twenty minutes this morning.",
    "We need to buy milk, eggs, bread and some fresh vegetables.",
    "That movie was much better than I expected.",
    "Please remember to water the plants on the balcony.",
    "The kids are playing football in the garden.",
    "I have been reading a fascinating book about the ocean.",
    "Let's order pizza tonight and watch a film.",
    "The printer on the second floor is out of paper again.",
    "Could you call the dentist and move my appointment?",
    "It has been raining all week and the river is very high.",
    "The new coffee machine makes a terrible noise.",
    "Our flight to Lisbon leaves at seven in the morning.",
    "He plays the guitar every evening after dinner.",
    "I can't find my keys, have you seen them anywhere?",
    "The quarterly report needs two more charts before Friday.",
    "She said the concert was sold out within an hour.",
    "Turn left at the bakery and then keep going straight.",
    "The dog barked at the postman again this morning.",
    "Do you want tea or coffee with your breakfast?",
    "The software update fixed the problem with the battery.",
    "We're going hiking in the mountains if the weather is nice.",
    "Honestly, I have no idea what he was talking about.",
    "The museum is closed on Mondays but open late on Fridays.",
    "I'll send you the slides as soon as I finish them.",
    "Tomorrow will be cloudy with a chance of light showers.",
    "The children built a huge sandcastle at the beach.",
    "Could you turn the music down a little, please?",
    "The restaurant on the corner has a new chef.",
    "I need to renew my passport before the summer holidays.",
    "The garage door makes a squeaking sound when it opens.",
    "Let me check my calendar and get back to you.",
    "The library has a great collection of old maps.",
    "He forgot his umbrella on the bus yesterday.",
    "We should paint the kitchen a lighter color.",
    "Thanks for your help, I really appreciate it.",
]

CITIES = ["Paris", "Berlin", "Tokyo", "Madrid", "Toronto", "Sydney", "Munich", "Chicago"]
NAMES = ["Alice", "Bob", "Maria", "David", "Sophie", "Kevin", "Laura", "Peter"]
NUMBERS = ["two", "five", "ten", "fifteen", "twenty", "thirty"]
TEMPLATES = [
    "What is the weather in {city} tomorrow?",
    "Set a timer for {n} minutes.",
    "Remind me to call {name} at {n} o'clock.",
    "Send a message to {name} saying I will be late.",
    "How long does it take to drive to {city}?",
    "Add a meeting with {name} on Monday morning.",
    "Play some relaxing music in the living room.",
    "What time is it in {city} right now?",
]

NEAR_MISSES = [
    "Hey Travis, how are you doing today?",
    "Hey Travis.",
    "Hey Charles, are you coming to lunch?",
    "Hey Marvin, can you help me with this box?",
    "Hey Harvey, the game starts at eight.",
    "Hey, are you serious about that?",
    "Put the jam in a jar and close it tightly.",
    "Hey Davis, nice to see you again.",
]

WAKE_UTTERANCES = [
    "Hey Jarvis.",
    "Hey Jarvis, what time is it?",
    "Hey Jarvis, turn on the lights in the kitchen.",
    "Hey Jarvis, set a timer for five minutes.",
    "Hey Jarvis, what is the weather like today?",
]

COMMANDS = [
    "Set a timer for ten minutes.",
    "What is the weather in Paris tomorrow?",
    "Open the calendar and add a meeting with Alice at three.",
    "Send a message to Peter saying I will be late for dinner tonight.",
    "Turn off the lights.",
    "Remind me to buy milk on the way home.",
    "How long does it take to drive from Berlin to Munich?",
    "Play some relaxing music in the living room, please.",
]

ESPEAK_VOICES = ["en-us", "en-us+m3", "en-gb", "en-us+f3", "en-us+m7", "en-gb+f2", "en-us+f4", "en+m1"]
ESPEAK_SPEEDS = [130, 150, 175]


def non_wake_sentences(seed: int = 7) -> list[str]:
    """The general sentences plus every template filled twice (deterministic)."""
    rng = random.Random(seed)
    filled = []
    for template in TEMPLATES:
        for _ in range(2):
            filled.append(template.format(city=rng.choice(CITIES), name=rng.choice(NAMES), n=rng.choice(NUMBERS)))
    return GENERAL + sorted(set(filled))


def wake_variants(count: int, seed: int = 11) -> list[dict[str, object]]:
    """``count`` wake utterances spread over engines, voices, speeds and noise levels."""
    rng = random.Random(seed)
    noise = [None, 20.0, 10.0]
    piper = [{"engine": "piper", "voice": "joe", "speed": s} for s in (0.85, 1.0, 1.2)]
    espeak = [{"engine": "espeak", "voice": v, "speed": s} for v, s in itertools.product(ESPEAK_VOICES, ESPEAK_SPEEDS)]
    voices = piper * 4 + espeak  # about as many Piper as espeak renders
    out = []
    for i in range(count):
        variant = dict(voices[i % len(voices)])
        variant["text"] = WAKE_UTTERANCES[i % len(WAKE_UTTERANCES)]
        variant["snr_db"] = noise[(i // len(WAKE_UTTERANCES)) % len(noise)]
        out.append(variant)
    rng.shuffle(out)
    return out

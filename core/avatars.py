"""Faces for people without a photo.

`initials` and `colour_index` give the initials avatar shown wherever a person has no photo:
the same colour for the same name on every page. `illustrated_avatar` draws a small portrait
with Pillow (face shape, hair, skin and background chosen from the name), so that the demo's
mentors each have a face; nothing is downloaded.
"""

import hashlib
import io

from PIL import Image, ImageDraw

# As many as the `.avatar-c0` ... `.avatar-c11` rules in site.css (dark enough for white text).
INITIALS_COLOURS = 12

BACKGROUNDS = [
    (219, 234, 254),
    (220, 252, 231),
    (254, 243, 199),
    (252, 231, 243),
    (237, 233, 254),
    (204, 251, 241),
    (255, 237, 213),
    (226, 232, 240),
]
SKINS = [
    (255, 224, 196),
    (241, 194, 160),
    (224, 172, 130),
    (198, 134, 96),
    (161, 102, 70),
    (120, 76, 52),
    (92, 58, 40),
]
HAIRS = [
    (35, 28, 25),
    (72, 48, 32),
    (120, 80, 45),
    (185, 140, 80),
    (165, 70, 40),
    (140, 140, 145),
    (60, 60, 70),
]
SHIRTS = [
    (37, 99, 235),
    (22, 163, 74),
    (217, 119, 6),
    (190, 24, 93),
    (109, 40, 217),
    (15, 118, 110),
    (71, 85, 105),
    (185, 28, 28),
]
HAIR_STYLES = ("short", "long", "bun", "curly", "bald", "side")
FACE_SHAPES = ("round", "oval", "square")


def _digest(name: str) -> bytes:
    return hashlib.sha256(name.strip().casefold().encode()).digest()


def initials(name: str) -> str:
    """Up to two letters: the first of the first and the last word ("Ada Lovelace" → "AL")."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def colour_index(name: str) -> int:
    """Which of the initials colours this person gets (the same on every page)."""
    return _digest(name)[0] % INITIALS_COLOURS


def _lightness(colour: tuple[int, int, int]) -> float:
    red, green, blue = colour
    return 0.299 * red + 0.587 * green + 0.114 * blue


def features(name: str) -> dict:
    """The portrait's choices for `name`: the same name always gets the same face."""
    d = _digest(name)
    skin = SKINS[d[2] % len(SKINS)]
    hair = HAIRS[d[3] % len(HAIRS)]
    if abs(_lightness(hair) - _lightness(skin)) < 30:  # hair that would melt into the face
        hair = HAIRS[0]
    return {
        "background": BACKGROUNDS[d[1] % len(BACKGROUNDS)],
        "skin": skin,
        "hair": hair,
        "shirt": SHIRTS[d[4] % len(SHIRTS)],
        "hair_style": HAIR_STYLES[d[5] % len(HAIR_STYLES)],
        "face": FACE_SHAPES[d[6] % len(FACE_SHAPES)],
        "glasses": d[7] % 4 == 0,
        "smile": 6 + d[8] % 6,
    }


def illustrated_avatar(name: str, *, size: int = 320) -> bytes:
    """A PNG portrait of `size` × `size` pixels for `name`, deterministic."""
    f = features(name)
    scale = 4  # drawn large and shrunk: smooth edges without anti-aliasing support in ImageDraw
    s = size * scale
    image = Image.new("RGB", (s, s), f["background"])
    draw = ImageDraw.Draw(image)
    u = s / 100  # one unit: the picture is drawn on a 100 × 100 grid

    def box(x0, y0, x1, y1):
        return [x0 * u, y0 * u, x1 * u, y1 * u]

    # Shoulders and neck.
    draw.ellipse(box(18, 74, 82, 120), fill=f["shirt"])
    draw.rectangle(box(43, 60, 57, 78), fill=f["skin"])
    # Hair behind the face.
    style = f["hair_style"]
    if style == "long":
        draw.rounded_rectangle(box(26, 22, 74, 80), radius=14 * u, fill=f["hair"])
    elif style == "bun":
        draw.ellipse(box(40, 6, 60, 24), fill=f["hair"])
    elif style == "curly":
        for x, y in ((30, 26), (40, 18), (50, 15), (60, 18), (70, 26), (26, 38), (74, 38)):
            draw.ellipse(box(x - 10, y - 10, x + 10, y + 10), fill=f["hair"])
    # Face.
    faces = {"round": box(30, 22, 70, 66), "oval": box(32, 20, 68, 68), "square": box(31, 22, 69, 66)}
    face = faces[f["face"]]
    if f["face"] == "square":
        draw.rounded_rectangle(face, radius=10 * u, fill=f["skin"])
    else:
        draw.ellipse(face, fill=f["skin"])
    draw.ellipse(box(27, 40, 33, 50), fill=f["skin"])  # ears
    draw.ellipse(box(67, 40, 73, 50), fill=f["skin"])
    # Hair on top.
    if style in ("short", "long", "bun", "curly"):
        draw.chord(box(29, 17, 71, 50), start=180, end=360, fill=f["hair"])
    elif style == "side":
        draw.chord(box(29, 17, 71, 50), start=180, end=360, fill=f["hair"])
        draw.polygon([(29 * u, 34 * u), (50 * u, 22 * u), (40 * u, 40 * u)], fill=f["hair"])
    # Eyes, brows, smile.
    ink = (40, 32, 30)
    for x in (42, 58):
        draw.ellipse(box(x - 2.2, 42, x + 2.2, 46.5), fill=ink)
        brow = f["hair"] if style != "bald" else ink
        draw.line(box(x - 4, 38.5, x + 4, 37.5), fill=brow, width=int(1.4 * u))
    if f["glasses"]:
        for x in (42, 58):
            draw.ellipse(box(x - 6, 38, x + 6, 50), outline=ink, width=int(1.1 * u))
        draw.line(box(48, 44, 52, 44), fill=ink, width=int(1.1 * u))
    w = f["smile"] / 2
    draw.arc(box(50 - w, 49, 50 + w, 58), start=20, end=160, fill=(150, 60, 60), width=int(1.5 * u))
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()

"""The demo project: four short interviews about working with peer support workers.

The interview texts are package data (tui/demo/*.txt, `Name: words` turns); everything else
(attributes, codebook, codings, memos, journal) is defined here, so the demo is the same on
every machine. Codings are given as quotes and found in the text, never as raw offsets.
"""

from __future__ import annotations

from pathlib import Path

from store.errors import Refused
from store.project import PROJECT_FILE, Project

DEMO_NAME = "Peer support on the ward (demo)"
DEMO_CODER = "demo"

# file stem -> (document name, attributes)
INTERVIEWS = {
    "p01-round1": ("P01 nurse, round 1", {"case": "P01", "round": "1", "profession": "Nurse", "setting": "Inpatient"}),
    "p01-round2": ("P01 nurse, round 2", {"case": "P01", "round": "2", "profession": "Nurse", "setting": "Inpatient"}),
    "p02": ("P02 psychiatrist", {"case": "P02", "round": "1", "profession": "Psychiatrist", "setting": "Inpatient"}),
    "p03": ("P03 team manager", {"case": "P03", "round": "1", "profession": "Manager", "setting": "Community"}),
}

# path, colour, definition, codable
CODEBOOK = [
    ("Relationships", "#4363d8", "How peers, staff and patients relate. A grouping only: code its sub-codes.", False),
    ("Relationships > Trust", "#4363d8", "Patients or staff trusting (or not) a peer worker because of shared experience.", True),
    ("Relationships > Us and them", "#911eb4", "Peers seen as on the patient's side, staff as enforcers (keys, restraint, sections).", True),
    ("Role", "#f58231", "What the peer role is and is not.", True),
    ("Role > Role clarity", "#f58231", "Whether staff and peers know what the peer role is for; induction, job descriptions.", True),
    ("Role > Role drift", "#e6194b", "Peers pulled into nursing tasks: obs, escorts, filling gaps on the rota.", True),
    ("Role > Boundaries", "#9a6324", "Self-disclosure, personal contact, confidentiality limits.", True),
    ("Support for peers", "#3cb44b", "Supervision, training, reasonable adjustments, wellbeing of peer workers.", True),
    ("Support for peers > Supervision", "#3cb44b", "Who supervises peers, how often, and whether they are trained to.", True),
    ("Support for peers > Emotional toll", "#008080", "Re-traumatisation, burnout, carrying hope for everyone.", True),
    ("Challenging practice", "#f032e6", "Peers showing staff how the service looks from the other side; changes that followed.", True),
    ("Employment terms", "#808000", "Banding, pay, contracts, career progression, funding.", True),
]

# document stem, quote, code path
CODINGS = [
    ("p01-round1", "Nobody really told us. We got an email from the matron and that was it.", "Role > Role clarity"),
    ("p01-round1", "on the floor we were making it up", "Role > Role clarity"),
    ("p01-round1", "I didn't go through all of that to hand out biscuits", "Role > Role drift"),
    ("p01-round1", "She made the role by doing it.", "Role > Role clarity"),
    ("p01-round1", "afterwards he said it was the first time he'd felt listened to", "Relationships > Trust"),
    ("p01-round1", "It made me look at how we run ward rounds, to be honest.", "Challenging practice"),
    ("p01-round1", "They say, I've been where you are. And people trust that in a way they don't trust me, because I've got the lanyard and the keys.", "Relationships > Trust"),
    ("p01-round1", "I lock the door. I do the restraint training. I'm the one who gives the depot.", "Relationships > Us and them"),
    ("p01-round1", "because I've got the lanyard and the keys", "Relationships > Us and them"),
    ("p01-round1", "the peers are paid more than the HCAs, which didn't go down well", "Employment terms"),
    ("p01-round1", "Dev gave a patient his personal mobile number in the first month.", "Role > Boundaries"),
    ("p01-round1", "I'm not trained to supervise a peer worker. I don't even know what good peer supervision looks like.", "Support for peers > Supervision"),
    ("p01-round1", "I don't even know what good peer supervision looks like.", "Role > Role clarity"),
    ("p01-round1", "She'd been restrained herself, years ago.", "Support for peers > Emotional toll"),
    ("p01-round2", "Mutuality, sharing your story on purpose, not being a mini nurse.", "Role > Role clarity"),
    ("p01-round2", "doing obs, escorting, filling gaps on the rota", "Role > Role drift"),
    ("p01-round2", "peers aren't counted in the numbers", "Role > Role drift"),
    ("p01-round2", "Now I do a monthly check-in with Maria and Jo, alongside the peer lead's supervision, not instead of it.", "Support for peers > Supervision"),
    ("p01-round2", "she shares her story like a tool, not like a diary", "Role > Boundaries"),
    ("p01-round2", "The peers get asked to be the hope for everyone, the proof that recovery happens", "Support for peers > Emotional toll"),
    ("p01-round2", "They show us stuff we don't see.", "Challenging practice"),
    ("p02", "He talked to the peer worker, who'd been on clozapine herself", "Relationships > Trust"),
    ("p02", "We changed how we talk about leave.", "Challenging practice"),
    ("p02", "Psychiatry has a hierarchy problem.", "Challenging practice"),
    ("p02", "The consultant is at the top and people don't contradict you, even when they should.", "Relationships > Us and them"),
    ("p02", "the peer has to explain confidentiality limits up front, same as we do", "Role > Boundaries"),
    ("p02", "A career structure, because at the moment there's Band 4 and then nothing.", "Employment terms"),
    ("p03", "You can't build a service on eighteen-month contracts.", "Employment terms"),
    ("p03", "the peers were being set up as the nice ones, and the rest of us as the enforcers", "Relationships > Us and them"),
    ("p03", "That group is where they say the things they can't say to me.", "Support for peers > Supervision"),
    ("p03", "That group is where they say the things they can't say to me.", "Relationships > Trust"),
    ("p03", "Reasonable adjustments done properly.", "Support for peers"),
    ("p03", "One of the peers read a few out loud in a team meeting, in the voice of someone receiving them.", "Challenging practice"),
]

MEMOS = [
    ("document", "p01-round1", "First interview after the peers started. Aisha is candid about feeling *exposed*; "
     "compare with round 2, where the same events are told as learning."),
    ("code", "Role > Boundaries", "Boundaries are framed as a risk by staff (phone numbers) and as a skill by peers "
     "(\"like a tool, not like a diary\"). Consider splitting into two sub-codes."),
]
CODING_MEMO = ("p01-round1", "I lock the door.", "The keys as a symbol of the staff side: check whether others use it.")
JOURNAL = (
    "Round 2 with P01 today. I noticed I was pleased when she said the first interview made her ask for training. "
    "Careful: my questions are part of what changed on that ward, and I want the peer role to work. "
    "Keep that in view when coding Role clarity across rounds."
)



def demo_exists(directory: Path) -> bool:
    return (Path(directory) / PROJECT_FILE).is_file()


def build_demo(directory: str | Path, texts: Path) -> Path:
    """Create the demo project in `directory` from the interview files in `texts`."""
    directory = Path(directory)
    if demo_exists(directory):
        raise Refused(f"{directory} already holds a project; open it with `margin open {directory}`")
    with Project.init(directory, name=DEMO_NAME, coder=DEMO_CODER) as project:
        # One action that cannot be undone: `u` in a fresh demo must not unpick the demo.
        with project.operation("create the demo project", undoable=False):
            documents = {
                stem: project.documents.import_file(texts / f"{stem}.txt", name, attributes).document
                for stem, (name, attributes) in INTERVIEWS.items()
            }
            for path, colour, definition, codable in CODEBOOK:
                project.codebook.add(path, description=definition, color=colour, codable=codable)
            for stem, quote, path in CODINGS:
                start, end = quote_span(project.text(documents[stem].id), quote)
                project.codings.apply(documents[stem], project.codebook.get(path), start, end)
            _add_memos(project, documents)
    return directory


def _add_memos(project: Project, documents: dict) -> None:
    for kind, ref, text in MEMOS:
        target = documents[ref].id if kind == "document" else project.codebook.get(ref).id
        project.memos.add(kind, target, text)
    stem, quote, text = CODING_MEMO
    start, _ = quote_span(project.text(documents[stem].id), quote)
    coding = project.codings.at(documents[stem], start)[0]
    project.memos.add("coding", coding.id, text)
    project.memos.add("journal", None, JOURNAL, title="After P01 round 2")


def quote_span(text: str, quote: str) -> tuple[int, int]:
    start = text.find(quote)
    if start < 0:
        raise ValueError(f"demo quote not in text: {quote!r}")
    return start, start + len(quote)

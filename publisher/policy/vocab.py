"""Word lists the matcher reads context from.

Every word here is a lookup key: lower case, accents stripped, letters only
(see ``normalise.fold_word``). The school-editable lists (titles, public
figures, places and events) live in the policy files; these are the fixed
facts of English and Welsh that decide whether a word is used as a name.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

__all__ = [
    "ACTS",
    "ASPIRATE_TRIGGERS",
    "CREATIVE_NOUNS",
    "DETERMINERS",
    "FAMILY_NOUNS",
    "MONTH_OF",
    "MONTH_WORDS",
    "NASAL_TRIGGERS",
    "NOT_A_NAME",
    "PERSON_CUES",
    "ROLE_NOUNS",
    "PERSON_VERBS",
    "PRONOUNS",
    "SOFT_TRIGGERS",
    "VENUE_NOUNS",
    "VOCATIVE_CUES",
    "WELSH_MARKERS",
    "WELSH_ONLY_TRIGGERS",
    "INSTITUTION_NOUNS",
    "BUSINESS_NOUNS",
    "NAME_NEXT",
    "GROUP_PREFIX",
    "SHORT_WORDS",
    "common_words",
    "english_words",
    "given_names",
    "read_list",
    "word_set",
    "word_names",
]


def word_set(text: str) -> frozenset[str]:
    """The words of ``text``, split on white space, as a set."""
    return frozenset(text.split())


_words = word_set


# Welsh mutation triggers (welsh_mutations.md, section 2). "y", "yr" and "'r"
# are deliberately absent: after the article a mutated word is a noun.
SOFT_TRIGGERS = _words(
    "i o am ar at gan heb dan dros tros drwy trwy wrth hyd dy ei neu dyma dacw"
)
NASAL_TRIGGERS = _words("fy yn ym yng")
ASPIRATE_TRIGGERS = _words("a ac gyda ei tua na tri chwe")
#: Triggers that never occur as English words, so they prove a Welsh context.
WELSH_ONLY_TRIGGERS = _words("gan heb dros tros drwy trwy wrth dy ei neu dyma dacw fy")
WELSH_ONLY_TRIGGERS |= _words("ym yng gyda tua chwe")

#: Words that show a text is (partly) Welsh; mutated names are only looked
#: for in such texts.
WELSH_MARKERS = _words(
    "a ac y yr mae yn ei fy dy gan gyda da iawn diolch llongyfarchiadau heddiw "
    "wedi bod am ar i o ddoe yfory gwych ardderchog campus bach mawr ein eu "
    "croeso cynnes annwyl hapus penblwydd blwyddyn dosbarth ysgol gwaith "
    "wythnos pawb bawb ni chi nhw hi fe ef efo gyda dyma dacw ond neu hefyd "
    "mor pob llun lluniau siaradodd meddai balch falch ddim oedd roedd"
)

#: Words just before a name that make the next word a name (vocative, praise).
VOCATIVE_CUES = _words(
    "done congratulations congrats congratulation thanks thank birthday "
    "bravo go congratulating congratulate celebrating welcoming iawn diolch "
    "llongyfarchiadau annwyl helo haia croeso "
    "hapus welcome dear hi hello hey cheers shoutout"
)

#: Phrases (as key tuples) after which a capitalised word is a person.
PERSON_CUES = frozenset(
    tuple(p.split())
    for p in (
        "new starter",
        "new starters",
        "new pupil",
        "new pupils",
        "new girl",
        "new boy",
        "new friend",
        "new classmate",
        "welcome to our new",
        "well done",
        "well done to",
        "congratulations to",
        "congratulations",
        "congrats to",
        "congrats",
        "happy birthday",
        "happy birthday to",
        "star of the week",
        "pupil of the week",
        "player of the match",
        "player of the week",
        "citizen of the week",
        "writer of the week",
        "reader of the week",
        "da iawn",
        "da iawn i",
        "llongyfarchiadau",
        "llongyfarchiadau i",
        "llongyfarchiadau mawr i",
        "croeso i",
        "croeso cynnes i",
        "penblwydd hapus",
        "pen blwydd hapus",
        "penblwydd hapus i",
        "pen blwydd hapus i",
        "seren yr wythnos",
        "disgybl yr wythnos",
        "chwaraewr y gem",
        "awarded to",
        "goes to",
        "thank you",
        "thank you to",
        "thanks to",
        "diolch i",
        "diolch yn fawr i",
        "diolch o galon i",
        "shout out to",
        "big shout out to",
    )
)

#: A person's role just before their name: "our new reception starter X",
#: "house captain X", "reading champion X".
ROLE_NOUNS = _words(
    "starter starters pupil girl boy friend classmate member arrival helper "
    "monitor captain champion winner ambassador leader prefect librarian "
    "sister brother cousin daughter son disgybl ffrind"
)

#: Capitalised words that follow a cue but are not people.
NOT_A_NAME = _words(
    "year years class team everyone everybody all our the your their his her "
    "my this that these those you we they us them him it reception nursery "
    "pupils pupil children kids staff parents families family friends "
    "governors pta school ysgol blwyddyn flwyddyn dosbarth tim pawb bawb chi "
    "nhw y yr to and a an of on in at for with from by yn i o ac ar am gan "
    "foundation key stage ks ks1 ks2 ks3 ks4 monday tuesday wednesday thursday "
    "friday saturday sunday january february march april may june july august "
    "september october november december everyone's infants juniors seniors "
    "sixth form mr mrs miss ms mx dr sir anti yncl uncle auntie aunty "
    "aunt nain taid grandma grandad grandpa granny nana ladies gentlemen boys "
    "girls squad choir band orchestra council committee club house houses "
    "wales cymru england scotland ireland britain uk cardiff caerdydd swansea "
    "abertawe newport casnewydd wrexham wrecsam bangor aberystwyth urdd "
    "eisteddfod santa siôn sion corn father christmas nadolig diolch thank "
    "thanks cyngor gyngor sir council tesco asda sainsburys morrisons aldi lidl "
    "waitrose coop groups group winners winner runners all-stars reds blues "
    "greens yellows dragons dreigiau mam dad mum mam-gu tad-cu athrawon "
    "teachers teacher head headteacher pennaeth lunch first second third last "
    "heddlu cyngor menter canolfan coleg prifysgol amgueddfa llyfrgell clwb "
    "cor cymdeithas papur radio bbc itv s4c nhs rnli rspca rspb nspcc "
    "police anyone someone somebody nobody dragons tigers lions eagles falcons "
    "hawks bears wolves scarlets ospreys dreigiau today yesterday tomorrow "
    "then finally together everyone "
    "both each every some many more most other another new old little big "
    "amazing brilliant wonderful fantastic great super lovely gwych"
)

DETERMINERS = _words(
    "the a an this that these those our your their its his her my some every "
    "each any no what which whose y yr r ein eich eu"
)
PRONOUNS = _words(
    "i you we they he she it everyone everybody someone anyone all us them "
    "him her me there who which that this those these one ni chi nhw fe hi"
)

#: Verbs that follow a person who is the subject of a sentence.
PERSON_VERBS = _words(
    "is was has had did does won wins got gets made makes took takes came comes "
    "went goes ran runs sang sings read reads wrote writes drew draws scored "
    "scores found finds gave gives built builds met meets became becomes "
    "said says told tells saw sees left leaves led leads brought brings caught "
    "catches threw throws swam swims rode rides flew flies spoke speaks "
    "helped helps loved loves likes liked enjoyed enjoys showed shows "
    "celebrated celebrates received receives achieved achieves completed "
    "completes earned earns performed performs presented presents represented "
    "represents played plays painted paints danced dances cooked cooks baked "
    "bakes visited visits joined joins collected collects raised raises "
    "worked works tried tries learned learnt learns finished finishes passed "
    "passes climbed climbs jumped jumps kicked kicks threw wore wears held "
    "holds will would can could should and with who mae oedd sydd wedi yn "
    "sang danced dyma enillodd gwnaeth aeth daeth cafodd canodd darllenodd "
    "siaradodd"
)

#: What a single unknown capitalised word does when it is a person:
#: "Persephone won the art competition".
ACTS = _words(
    "won scored read wrote sang drew painted danced baked cooked received "
    "achieved celebrated passed swam climbed built designed presented performed "
    "represented collected raised completed earned learned learnt made tried "
    "helped joined finished recited played enillodd canodd darllenodd"
)

#: Nouns that turn the capitalised word before them into a place or event.
VENUE_NOUNS = _words(
    "hall room centre center building theatre theater field fields park house "
    "court street road lane avenue close drive chapel church library school "
    "academy college gardens garden wing block studio suite lodge farm woods "
    "wood primary class group term fair fete concert festival show camp ball "
    "party trip holidays holiday day week month assembly fayre disco gala "
    "service club flag "
    "award awards age ages trust aid fund cup league shield trophy valley "
    "bay beach hill mountain river lake island bridge castle museum zoo palace "
    "line gate square way crescent terrace "
    "centre's clinic ward unit prize medal tree leaves petals bulbs rugby "
    "football netball hockey cricket athletics choir band orchestra team fc "
    "rfc city town county united rovers athletic society market station"
)

#: Things a person makes: "a poem by April" names the author.
CREATIVE_NOUNS = _words(
    "poem poems picture pictures painting paintings story stories photo photos "
    "drawing drawings art artwork music song songs words writing model models "
    "design designs speech performance dance collage sculpture film video "
    "llun lluniau cerdd stori gwaith"
)

#: Words that make "May", "June", "Summer" a date or season, not a person.
MONTH_WORDS = _words(
    "in during until till since before after this next last early late mid "
    "by half term bank holiday day fair fete ym mis"
)
#: Before "of May": "the end of May", "the 5th of May".
MONTH_OF = _words(
    "end start beginning middle month rest half course first last st nd rd th"
)

#: Words for a family that make the family name before them a learner name.
FAMILY_NOUNS = _words(
    "family twins triplets siblings brothers sisters household clan teulu efeilliaid"
)


def read_list(name: str) -> frozenset[str]:
    """A word list shipped with the package, as folded keys."""
    from publisher.policy.normalise import fold_word

    text = resources.files("publisher.policy").joinpath(name).read_text("utf-8")
    words = (line.strip() for line in text.splitlines())
    return frozenset(fold_word(w) for w in words if w and not w.startswith("#"))


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """The gazetteer of common given names (folded keys)."""
    return read_list("given_names.txt")


@lru_cache(maxsize=1)
def word_names() -> frozenset[str]:
    """Names that are also everyday words (folded keys)."""
    return read_list("word_names.txt")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """English words of three letters or more (already folded, read as is)."""
    text = resources.files("publisher.policy").joinpath("english_words.txt")
    lines = text.read_text("utf-8").splitlines()
    return frozenset(w for w in lines if w and not w.startswith("#"))


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Everyday English words that hashtags glue together (folded keys)."""
    return read_list("common_words.txt")


#: Capitalised nouns after a name that make it the name of a place or an
#: organisation: "Morgan Arcade", "Pritchard's Field", "Bevan Foundation".
INSTITUTION_NOUNS = _words(
    "arcade foundation centre center park road street avenue lane close "
    "crescent terrace gardens hall library museum gallery theatre cinema "
    "stadium arena field fields farm estate square building buildings "
    "house court way bridge station hospital surgery clinic pharmacy "
    "chemist academy college university trust charity institute society "
    "hotel inn arms bakery bakers garage motors stores store shop market "
    "cafe restaurant leisure pool"
)
#: The subset that only names a business when it follows a given name with
#: 's ("Harvey's Bakery"); a child's "Hall" or "Field" is too likely a name.
BUSINESS_NOUNS = _words(
    "arcade foundation bakery bakers garage motors stores pharmacy chemist "
    "surgery cafe restaurant hotel inn arms trust charity"
)

#: English words that follow a person at the start of a caption or alt text
#: ("Jack on the slide", "Mark from Year 6"), but rarely an everyday word used
#: as a name-word ("Holly wreaths", "Rose petals"). Welsh ones: see context.
NAME_NEXT = _words(
    "on at from in inside outside with near by beside behind under over up "
    "down into onto through across around among between during after "
    "alongside opposite next together also"
)

#: Words before a name that make it a class, team or school name; the
#: matcher still blocks a roster given name there ("Dosbarth Cerys").
GROUP_PREFIX = _words("class dosbarth group grwp team tim ysgol school house ty")

#: Short English and Welsh words that hashtags glue between longer ones
#: ("#staroftheweek", "#daiawnibawb"); the long ones come from word lists.
SHORT_WORDS = _words(
    "a i am an as at be by do go he hi if in is it me my no of oh ok on or "
    "so to up us we yo ox ah aw ha "
    "the and for you our all are but can day did fun get got had has her "
    "him his hot how its let new not now old one out put red run say see "
    "she sit six sun ten too top two use was way who why win won yes yet "
    "art arm bag bat bee big box boy bus car cat cow cup cut dad dog dry "
    "eat egg end eye far few fly fox hat ice job joy key kid leg lot man "
    "map men mix mud mum net nut owl pan pen pet pie pig pot raw row sad "
    "sea set sky tea toy try van war wet zoo ask bed bit bun dig fit fix "
    "hen hop hug jam jog kit lab lap log mat mop nap pea pin pop pup rag "
    "rat rub sew sip sit tap tin tip tub web wig yum yay wow hey off any "
    "own age ago air also away back best book both came come cool dear "
    "each even ever fast feel fine five four free from full give gold "
    "good great green grow hand have help here high home hope into just "
    "keep kind last lead left less life like live long look lots love "
    "made make many more most much must name need next nice only open "
    "over part play read rest ride room same show side sign sing some "
    "song star stay such sure take talk team tell than that them then "
    "they this time tree very walk want week well went were what when "
    "will wish with word work year your "
    "y yr yn ar o da ac ei eu ni chi fy dy mae ydy oes gan am at dan "
    "heb hyd tan wrth gyda efo pob holl mor iawn bawb pawb hwyl"
)

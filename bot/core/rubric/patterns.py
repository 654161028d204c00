"""The rubric's word patterns, one family per line of evidence (kept apart so they read as a list).

Families follow what trainers listen for and what politeness/respect research found in real
speech (gratitude, apology, formal address and reassurance read as respectful; bare imperatives,
informal address, blame and "rules are rules" do not).
"""

from __future__ import annotations

import re

# Feeling words an officer uses when naming or validating how the visitor feels.
EMOTION_WORDS = r"""scared scary scare scares scaring frightened frightening fright afraid terrified
terrifying worried worrying worry worries anxious anxiety nervous panicking panicked panic upset
upsetting frustrated frustrating frustration angry anger annoyed annoying annoyance furious fuming
livid stressed stressful stress distressed distressing awful horrible horrid terrible dreadful
rubbish hard difficult tough exhausting exhausted tiring tired miserable heartbreaking heartbroken
devastating devastated sad hurt hurtful painful embarrassing embarrassed humiliating humiliated
insulting unfair shock shocking shocked shaken rattled overwhelmed overwhelming confusing confused
lonely gutting gutted nightmare brutal grim rough infuriating maddening unsettling alarming
helpless powerless desperate disappointed disappointing fear fears grief invisible targeted
singled stings awkward agonising agonizing unbearable horrendous isolating isolated
heartbreak disheartening discouraging demoralising demoralizing frantic distraught
mortifying mortified""".split()
EMO = "(?:" + "|".join(sorted(set(EMOTION_WORDS), key=len, reverse=True)) + ")"
_INTENS = r"(?:so |really |very |incredibly |absolutely |completely |pretty |such |quite |truly )?"
_HELPER_VERBS = (
    r"call|ring|phone|check|find|get|ask|walk|take|bring|show|look|go|sort|help|"
    r"arrange|open|lift|contact|let|speak|chase|note|write|give|keep|stay|escort|head|knock|"
    r"tell|pass|point|send|book|fetch|grab|reissue|sign|come|meet|pack|box|try|make sure|put|move|"
    r"see (?:what|if|who|whether|that)|lock|print|page|radio|update"
)

# family -> regexes; every match is quoted as evidence, so patterns match the telling words only.
FAMILIES: dict[str, tuple[str, ...]] = {
    # ---- empathy -------------------------------------------------------------------------
    "validation": (
        rf"\b(?:that|this|it)(?:'s| is| was)? ?(?:must|would|will|could|'d)? ?(?:be|feel|have been|"
        rf"sound|sounds|seem|seems)? {_INTENS}(?:a |an )?{EMO}\b",
        r"\b(?:would|'d|could|will) (?:scare|worry|upset|frighten|rattle|stress|annoy|frustrate|"
        r"anger|panic|shake|terrify|unsettle) (?:anyone|anybody|me|most people|the best of us)\b",
        r"\bmakes? (?:anyone|anybody) (?:feel|angry|worried|upset|nervous|anxious)",
        r"\bno wonder (?:you|you're)\b",
        rf"\bi(?:'d| would) (?:be|feel) (?:{EMO}|the same|just as \w+)(?: too)?\b|"
        r"\bi(?:'d| would) (?:be|feel) (?:\w+ ){1,2}too\b|\bi(?:'d| would) be beside myself\b",
        r"\banyone would (?:be|feel)\b",
        r"\bi can (?:see|hear|tell|imagine|only imagine) (?:how|that|why|you|this|it's|what)\b",
        rf"\byou(?:'re| are)? (?:must be|must feel|sound|seem|look|feel|are|"
        rf"'re)? ?{_INTENS}{EMO}\b",
        rf"\bsounds? (?:like )?{_INTENS}(?:a |an )?{EMO}\b",
        r"\bof course (?:you|you're|you'd|you are)\b",
        r"\b(?:it's|that's|is|it is|that is) (?:completely |totally |perfectly |entirely )?"
        r"(?:understandable|natural|normal|fair|a fair (?:question|worry|point)|okay to feel|"
        r"reasonable)\b",
        r"\bi'?m (?:so |really |very |truly |terribly )?sorry (?:to hear|about|for|you|that|it)\b",
        r"\bwhat an? (?:horrible|awful|nightmare|terrible|rotten|rubbish|stressful|tough|hard|"
        r"frightening|scary|evening|day|night|morning)\b",
        r"\bi feel for you\b|\bi'?m here for you\b|\byou have every right\b|\bi hate (?:doing|"
        r"that)\b",
        r"\bthe last thing you need\b|\b(?:makes|make) (?:total |complete |perfect )?sense\b",
        rf"\bmust (?:be|feel|have been|have felt) {_INTENS}(?:a |an )?{EMO}\b|"
        rf"\b(?:is|was|are|were) {_INTENS}(?:a |an )?{EMO}\b",
        rf"\byou(?:'re| are)? (?:must be|must feel|sound|seem|look|feel) \w+ and {_INTENS}{EMO}\b",
        rf"\b(?:you're|you are) right to (?:be|feel|worry|ask)\b|\bthat's a {_INTENS}{EMO}\b",
    ),
    "generic_ack": (
        r"\bi (?:totally |completely |fully )?(?:understand|get it|get that|hear you|know|see|"
        r"appreciate (?:that|it))\b",
        r"\bunderstood\b|\bi understand your (?:concern|frustration|point)\b",
    ),
    "apology": (
        r"\b(?:i'?m |i am |we'?re |we are )?(?:so |really |very |truly |terribly )?sorry\b"
        r"(?! (?:you feel|if you feel|but no|mate, rules))",
        r"\bapologi[sz]e\b|\bapologies\b",
    ),
    "reflection": (
        r"\b(?:it )?sounds like\b|\bit seems like\b|\bif i(?:'ve)? (?:understand|got) (?:this|that|"
        r"you|it) (?:right|correctly)\b|\bwhat i'?m hearing\b|\blet me (?:make sure|check) i\b",
        r"(?:^|[.!?,-] ?)so (?:you're|you've|you are|you have|your|you were|you want|you need|"
        r"nobody|no one)\b",
        r"\byou(?:'ve| have) (?:been|come|driven|travelled|traveled|waited|had|lost|paid|got|"
        r"already)\b",
        r"\byou (?:just )?(?:want|need|came|were|are trying|have come|'re trying|'re looking|"
        r"'re here|did everything|made an effort)\b",
        r"\b(?:your|the) (?:main )?(?:worry|concern|priority) is\b|\bwhat you (?:need|want)\b",
        r"\b(?:this|it|that) (?:really )?matters\b|\bwhen it'?s your\b",
    ),
    "invite": (
        r"\btell me (?:more|about|what|where|how|who|a bit)\b|\bwalk me through\b|"
        r"\bhelp me understand\b|\btalk me through\b|\bi'?d like to (?:hear|know|understand)\b",
        r"\bhow are you (?:feeling|doing|holding up|coping)\b|\bwhat do you need\b|"
        r"\bwhat (?:happened|has happened|'s happened)\b|\bwhat would help\b",
    ),
    # ---- calmness: what costs points -----------------------------------------------------
    "calm_down": (
        r"\bcalm (?:yourself )?down\b|\bcalm yourself\b|\bsettle down\b|\brelax\b|"
        r"\bchill(?: out)?\b",
        r"\bno need to (?:shout|get|be|raise)\b|\bthere'?s no need for\b",
        r"\bstop (?:shouting|yelling|screaming|swearing|crying|banging|kicking off)\b",
        r"\blower your voice\b|\bkeep your voice down\b|\bstop raising your voice\b",
    ),
    "command": (
        r"(?:^|[.!?;,-] ?|\band |\bnow )(?:step|stand|move|get|go|back|sit|stay|wait|turn|hurry|"
        r"leave|listen|shut|hands|arms|belt|bag|out|next|watch)\b(?: (?:back|aside|away|off|out|"
        r"up|down|along|over|around|round|there|here|now|it|home|still|lost|your|on|to me|of))+\b"
        r"(?! with me)",
        r"\b(?:step|move|get) out of (?:the|my) (?:way|line|face)\b|\bout of my way\b",
        r"(?:^|[.!?] ?)(?:out|next|move|now|leave|go|enough|hurry up)[.!]+",
        r"\bbe quiet\b|\bquiet down\b|\bdon'?t (?:move|touch|shout|you dare|raise|talk to me like|"
        r"take that tone)\b|\bwatch your (?:language|mouth|tone)\b|\bsit down\b|\bstep back\b",
        r"\b(?:show|give|hand) (?:me|it|that|over)\b[^.!?]{0,30}\bnow\b|^now[.!]",
        r"\btake a seat\b|\bget in line\b|\bturn around\b|\bstep aside\b|\bstep out of\b",
    ),
    "directive": (
        r"\byou (?:need to|have to|must|'ll have to|will have to|'re going to have to|are going to "
        r"have to)\b",
        r"\bi(?:'m| am)? (?:going to )?(?:need|want|must ask|have to ask|'ll have to ask) you to\b",
        r"\bi'?m asking you to\b|\bi must ask\b",
    ),
    "curt_imperative": (
        r"(?:^|[.!?] )(?:go|ask|call|email|press|try|use|talk|speak|come back|check|read|ring|"
        r"contact|reverse|fill|pop|head|follow|take it|sober|fix|stop|sort)\b",
    ),
    "polite_request": (
        r"\b(?:could|would|can) you (?:please )?(?!not\b)\w+|\bwould you mind\b|\bdo you mind\b|"
        r"\bif you (?:could|don't mind|wouldn't mind)\b|\bwould it be (?:okay|ok|alright)\b",
        r"\bshall we\b|\blet'?s\b|\bhow about\b|\bwould that (?:help|work|be okay)\b|"
        r"\bis that (?:okay|ok|alright)\b|\bwhen you'?re ready\b",
    ),
    "ultimatum": (
        r"\bor (?:else|i'?ll|i will|i'?m|i am|you'?ll|you will|you'?re|you are|we'?ll|we will)\b",
        r"\b(?:last|final) (?:warning|chance)\b|\byou(?:'ve got| have) \w+ (?:seconds|minutes)\b",
        r"\bi won'?t (?:ask|tell you|say it) again\b|\bi'?m not (?:going to )?(?:ask|tell|say)"
        r"(?:ing)? (?:you )?again\b|\bcount(?:ing)? (?:to|of) (?:three|3|ten|10)\b",
        r"\b(?:if|when) you (?:keep|carry on|continue|go|don'?t|do that|try)\b[^.!?]{0,50}"
        r"\b(?:i'?ll|i will|you'?ll|you will|i'?m going to)\b",
    ),
    "threat": (
        r"\b(?:i'?ll|i will|i'?m going to) (?:have you|get you) (?:removed|arrested|thrown|"
        r"escorted|"
        r"barred|banned|kicked|taken|dragged)\b",
        r"\b(?:i'?ll|i will|i'?m going to|i'?m) (?:call|calling|get|phone|ring) (?:the police|the "
        r"cops|security on you)\b|\bwant me to call the police\b",
        r"\byou(?:'ll| will) be (?:arrested|removed|thrown|barred|banned|escorted|walking|out)\b",
        r"\byou'?re (?:barred|banned|going nowhere|not going anywhere)\b|\byou'?re out\b",
        r"\b(?:throw|drag|kick|carry|put) you (?:out|on the floor|down)\b|\bbefore i (?:throw|call|"
        r"have|drag|kick|get)\b|\btry it\b|\bsee what happens\b|\bdon'?t make me\b",
        r"\byour funeral\b|\byou'?ll regret\b|\bdon'?t you dare\b|\byou won'?t be (?:going|getting|"
        r"coming)\b|\bbecause i will\b|\bi'?ll have to ask you to leave\b",
    ),
    "insult": (
        r"\b(?:idiots?|idiotic|stupid|morons?|moronic|dumb|pathetic|losers?|clowns?|muppets?|"
        r"imbeciles?|cretins?|fools?|foolish|numpty|pillock|prat|plonker|wally|nutter|psycho|"
        r"freaks?|scum(?:bag)?|lowlife|thugs?|retard(?:ed)?|crybaby|cry baby|snowflake|karen)\b",
        r"\bgrow up\b|\bact your age\b|\bget a life\b|\bdrama queen\b|\bsob story\b|"
        r"\bshut (?:up|your (?:mouth|face|trap))\b|\bdon'?t be (?:ridiculous|silly|stupid|"
        r"a baby)\b",
        r"\byou'?re (?:being )?(?:drunk|pathetic|a joke|ridiculous|unbelievable|a child|a baby|"
        r"crazy|mad|insane|nuts|mental|dramatic|hysterical|paranoid)\b|\bhysterical\b",
        r"\bunlike some people\b|\bare you (?:deaf|stupid|blind|thick)\b|\bcan'?t you read\b",
    ),
    "profanity": (
        r"\bf+u+c+k\w*|\bsh[i1]t\w*|\bdamn\w*|\bhell\b|\bbloody\b|\bbastards?\b|\bcrap\w*|"
        r"\bpiss\w*|\barse\w*|\bass(?:hole)?s?\b|\bbitch\w*|\bwtf\b|\bffs\b|\bstfu\b|\bbollocks\b|"
        r"\bwank\w*|\btwats?\b|\bdick(?:head)?s?\b|\bf\*+\w*|\bsh\*t\b|\bf-ing\b|\bfrigging\b",
    ),
    "condescending": (
        r"(?:,\s*|^|\bnow\s+|\bnot now\s+)(?:sweetheart|sweetie|darling|dearie|sunshine|"
        r"princess|champ|sport|kiddo|lady|young man)(?=\s*[,.!?]|$)",
        r"^(?:look|listen|okay,? okay|mate,? mate)\b[,.]",
        r"\btalk to me (?:nicely|properly|politely|with respect)\b|\bask (?:me )?nicely\b|"
        r"\bmaybe i'?ll help\b",
    ),
    "sarcasm": (
        r"\boh,? (?:sure|really|here we go|please)\b|\byeah,? right\b|\byeah,? yeah\b|"
        r"\bsure you (?:did|have|are|do|were|can|'ve got)\b",
        r"\bgood luck with that\b|\bthanks for nothing\b",
        r"\bboo[- ]?hoo\b|\bcry me a river\b|\bwelcome to (?:the real "
        r"world|air travel|\w+ travel|life)\b|\bnice try\b|\bheard it (?:all )?before\b",
        r"\b(?:they|you people|everyone|everybody) (?:all )?(?:always )?says? that\b|"
        r"\beveryone says\b|\bdo i look like\b|\bdo you see me laughing\b|\bi'?m the (?:queen|"
        r"king|pope|prime minister)\b",
        r"\brevolves? around you\b|\bjust for you\b|\bdrop everything\b|\bobviously\b|"
        r"\bclearly you\b|\bnewsflash\b|\brocket science\b|\bwhatever you say\b|\bif you say so\b",
        r"\bha(?:ha)+\b|\bha\.|\blol\b|\blmao\b|\brofl\b|\bhere we go\b|\banother one\b|"
        r"\bhalf the (?:city|world|country|town)\b|\bmake a nice present\b|"
        r"\bmaybe there'?s a reason\b",
        r"\bwhole (?:\w+ )?(?:minutes?|hours?|seconds?)\b|(?<!so )(?<!really )(?<!very )"
        r"\bsorry (?:you feel|if you feel) that way[.!]*$"
        r"|\bwith (?:all due|the greatest|respect)\b|\bwhat, you think\b|🙄|🤡|😂|🤣|😒",
    ),
    # Words that are sarcastic in a cold reply and sincere in a warm one ("Oh you poor thing,
    # what a nightmare" is sympathy): cues.py counts them as sarcasm only without sincere warmth.
    "sarcasm_maybe": (
        r"\boh,? (?:great|wonderful|brilliant|perfect|lovely|fantastic|i'?m so sorry)\b|"
        r"\bi'?m sure (?:you|it|they|he|she|hr|the \w+)(?:'re|'s| are| is| did| do| have| will|"
        r" were|'ll)\b|\bcongratulations\b|\bpoor (?:you|thing|baby)\b|\bbless (?:your|you)\b",
    ),
    # Casual address: friendly in "Course you can, love", condescending in "Calm down, mate".
    "address_casual": (
        r"(?:,\s*|^|\bnow\s+|\bnot now\s+)(?:pal|buddy|bud|mate|love|luv|honey|hun|dude|bro|"
        r"bruv|chief)(?=\s*[,.!?]|$)",
        r"^(?:mate|pal|buddy|love|dude)\b[,.]",
    ),
    # Verbal Judo's "never say" phrases not covered by other families ("calm down", "because
    # those are the rules", "what's your problem?" have their own).
    "never_say": (
        r"(?:^|[.!?]\s*)come here\b|\byou wouldn'?t understand\b|\bnone of your business\b|"
        r"\bi'?m not (?:going|gonna) to (?:tell|ask) you again\b|\bi won'?t (?:tell|ask) you "
        r"again\b|\bfor your own good\b|\bbe reasonable\b|\bwhat do you want me to do about it\b",
    ),
    "irritation": (
        r"\bi'?m (?:sick|tired) of\b|\bi don'?t have time for\b|\bi'?ve had enough\b|"
        r"\bi'?m done (?:with|talking)\b|\bi'?m not (?:here|going) to argue\b|\bugh+\b|"
        r"\boh my god\b|\bfor (?:god'?s|christ'?s|pete'?s|heaven'?s) sake\b|\bgive me a break\b",
        r"\bare you kidding(?: me)?\b|\bseriously\?|\bnot again\b|"
        r"\bi'?m (?:a )?security(?: guard)?,"
        r" not\b|\bi only do security\b",
    ),
    "dismissive": (
        r"\b(?:this|that|it)(?:'s| is) (?:nonsense|rubbish|garbage|ridiculous|a joke)\b|"
        r"\bnot (?:my|our) (?:problem|job|department|issue|concern|circus|rule|call|"
        r"responsibility|business|fault)\b|\b(?:isn't|is not|'s not) (?:my|our) (?:problem|issue|"
        r"concern)\b|\byour problem\b",
        r"\bwhatever\b|\b(?:i|we) don'?t care\b|\bwho cares\b|\bso what\b|\bdeal with it\b|"
        r"\btough(?: luck)?[.!,]|\btoo bad\b|\bthat'?s life\b|\bit is what it is\b",
        r"\bcan'?t help you\b|\bnothing (?:i|we) can do\b|\bnot much (?:i|we) can do\b|"
        r"\bnothing to do with (?:me|security|us)\b|\btake it up with\b|\bcomplain to\b",
        r"\b(?:i|we) (?:just|only) work here\b|\bi'?m (?:just|only) doing my job\b|"
        r"\b(?:i'?m|i am) busy\b|\bnot now\b|\bhappens all the time\b|\bthey always do\b",
        r"\b(?:he|she|they|it)'?ll turn up\b|\bnot my (?:fault|rule)\b|\bgo away\b|\bget lost\b|"
        r"\beveryone'?s (?:waiting|got)\b|\beveryone (?:in here|has been waiting|is waiting)\b",
        r"\bif (?:it'?s|you'?re) not (?:here|on the list),? (?:it'?s|you'?re) not\b|"
        r"\bit happens\b|\byou'?ll (?:be fine|live|survive|get over it)\b|\bnot tonight\b",
    ),
    "rules_bare": (
        r"\brules are rules\b|\bi don'?t make (?:the rules|them)\b|\bbecause i said so\b|"
        r"\bno exceptions\b|\bend of(?: story| discussion)?[.!]|\bthat'?s (?:just )?how it is\b",
        r"\b(?:it'?s|that'?s|those are) (?:just )?(?:the |our )?(?:rules?|polic(?:y|ies)|"
        r"procedure|regulations?)\b|\b(?:company|club|store|hospital|house|school) (?:policy|"
        r"rules?)\b",
        r"\bi have my instructions\b|\binvalid is invalid\b|\bno \w+,? no (?:entry|\w+)\b|"
        r"\bnot on the list,? not\b|\bonce you'?re out,? you'?re out\b|\bthat'?s the rule\b",
    ),
    "blame": (
        r"\byou people\b|\byou lot\b|\bpeople like you\b|\byour (?:own )?fault\b|"
        r"\byou should(?:n'?t)? have\b(?! to)|\byou should'?ve\b|\bshould(?:'ve| have) (?:read|"
        r"checked|"
        r"remembered|caught|come|arrived|planned|booked|paid|thought|known|used|listened)\b",
        r"\b(?:if|had) you(?:'d| had)? (?:just )?(?:read|come|arrived|listened|checked|paid|"
        r"remembered|booked)\b|\byou brought (?:this|it) on\b|\bthat'?s on you\b",
        r"\byou (?:always|never) \w+|\byou (?:drivers|kids|people|lads|guys) (?:are )?always\b|"
        r"\beveryone steals\b|\bmaybe (?:don'?t|read|try|next time|check|plan)\b|\bnext time\b",
        r"\byou could have (?:used|checked|read|come|booked|paid)\b|\bplan better\b|"
        r"\bkeep an eye on your\b|\bdon'?t take it out on me\b|\bdon'?t play the\b",
        r"\bhave you thought of that\b|\bit wasn'?t me\b|\byou (?:got )?scammed\b|"
        r"\byou'?re the one who\b|\byou didn'?t (?:read|check|listen|pay|book)\b",
    ),
    "minimizing": (
        r"\bnot the end of the world\b|\b(?:not|no) (?:such a|a|that) big deal\b|"
        r"\byou'?re (?:over ?reacting|being (?:dramatic|silly|ridiculous|paranoid|emotional))\b",
        r"\bit'?s (?:just|only) (?:a |an )?\w+\b|\bnobody'?s (?:ignoring|picking|targeting)\b|"
        r"\bno one'?s (?:ignoring|picking)\b|\bare you sure (?:he|she|they|it|you)\b",
        r"\bdid (?:he|she|they) actually\b|\bor are you just\b|\bthere'?s no one (?:out )?there\b",
        r"\bthey'?re (?:just )?busy\b|\bdon'?t take it personally\b|\bit'?s not personal\b|"
        r"\b(?:just )?part of (?:life|growing up|the job)\b|\bat least (?:he|she|it|they|you)\b|"
        r"\beverything happens for a reason\b|\b(?:is|'s) nothing\b(?! to)(?! like)",
    ),
    "hostile_question": (
        r"\b(?:do|did|have|can|are) you even\b|\bwhat'?s (?:your|the) problem\b|"
        r"\bwho do you think\b|\bdid(?:n'?t)? you (?:not )?hear\b|"
        r"\bwhat part of\b|\bdo you want (?:me )?to (?:call the police|get (?:arrested|thrown|"
        r"removed|kicked)|be (?:arrested|removed))\b",
        r"\bhow do i know (?:you|she|he|it)\b|\b(?:is that|am i) clear\b|\bunderstood\?|"
        r"\bgot (?:it|that)\?|\bwhat do you (?:want|expect) me to do\b|"
        r"\bwhat am i supposed to do\b",
        r"\bwhy (?:should|would) i\b|\bdo you understand(?: me)?\?|\bdo you see me\b|"
        r"\bdo you want to \w+ or not\b|\bor not\?|"
        r"\bare you (?:serious|kidding|joking|drunk)\b|\bkidding\?|,? (?:shouldn'?t|didn'?t|don'?t|"
        r"haven'?t|aren'?t|isn'?t|wasn'?t|won'?t|can'?t|wouldn'?t) (?:you|we|it|they|i)\?",
    ),
    # ---- resolution ----------------------------------------------------------------------
    "reason": (
        r"\bbecause\b(?! i said so| i will| i can)|\b'?cause\b|\bso that\b|,\s*so\b(?! what)|"
        r"\bso (?:he|she|they|we|it)'?s\b|\bwhich is why\b|\bthat'?s why\b|\bthe reason\b",
        r"\bfor (?:your|their|his|her|everyone'?s|the \w+'?s?|patients'?|people'?s) (?:own )?"
        r"(?:safety|security|privacy|protection|sake)\b|\bfor (?:safety|security|privacy|legal|"
        r"fire|insurance) reasons\b|\bfor (?:the )?patients\b",
        r"\bto (?:keep|protect|make sure|ensure|stop|prevent)\b|\bdue to\b|\bsince (?:the|it|we|"
        r"there|they|you)\b|\bin case\b|\botherwise\b",
        r"\b(?:safeguarding|fire (?:exit|regulations|code|safety|door)|capacity|privacy law|"
        r"data protection|infection|the law|legal limit|health and safety|insurance|audit|"
        r"liquids limit)\b|\b(?:it'?s|that'?s|it is) (?:about|for) (?:safety|privacy|space|"
        r"capacity|security)\b|\bnot about you\b",
    ),
    "offer": (
        rf"\bi(?:'ll| will| can| could|'m going to| am going to|"
        rf" 'll) (?:\w+ )?(?:{_HELPER_VERBS})\b",
        rf"\blet me (?:\w+ )?(?:{_HELPER_VERBS}|do|sort|find out)\b|\blet'?s (?:see|get|find|sort|"
        r"go|have|take|check|work)\b",
        r"\b(?:would|do) you (?:like|want) (?:me to|to|a|some)\b|\bshall (?:i|we)\b|"
        r"\bwould you (?:rather|prefer)\b|\bif you(?:'d)? (?:like|prefer|want|rather)\b",
        r"\b(?:you|we) (?:can|could) (?:also |still |always )?(?!not\b)\w+|\bone option\b|"
        r"\bwhat i can do\b|\bhere'?s what\b|\b(?:the )?(?:best|fastest|quickest|easiest) "
        r"(?:way|route|option|thing)\b",
        r"\bin the meantime\b|\bwhile (?:you|we) wait\b|\byou'?re welcome to\b|\bleave it with me\b"
        r"|\bwe'?ll (?:find|sort|get|go|make|check|have)\b|\bhow about\b|\bi'?ll stay\b|"
        r"\bwelcome back\b|\bi'?m (?:calling|ringing|radioing|checking|getting|locking|putting|"
        r"sending|phoning|chasing|printing|paging)\b",
        r"\b(?:there'?s|there is) an? [\w-]+ (?:desk|machine|rank|office|area|room|team|number|"
        r"form|bus|phone|point|window)\b|\b(?:'s|is|are) open\b|\b(?:replacement|next) (?:bus|"
        r"buses|train|flight)\b|\bcan (?:usually|often) (?:put|get|help|cancel)\b",
    ),
    "limit": (
        r"\bi (?:can'?t|cannot|can not|won'?t be able to|'?m not able to|am not able to|"
        r"'?m unable to|"
        r"am unable to|'?m not allowed to|am not allowed to|'?m not permitted to) (?:\w+ )?"
        r"(?:let|allow|open|send|take|give|show|make|promise|leave|do|bring|rebook|move)\b",
        r"\bwhat i can'?t do\b|\b(?:you|visitors|anyone|nobody|no one|people|passengers|guests|"
        r"patients|partners) (?:can'?t|cannot|aren'?t allowed|are not allowed|won'?t be able to|"
        r"must have|can only)\b",
        r"\bonly (?:passengers|residents|staff|members|people|ticket holders|booked|adults|lets)\b"
        r"|\bnot (?:without|until|before|past)\b|\b(?:it'?s|that'?s) a no\b|\bi'?d (?:rather|"
        r"prefer)"
        r" you didn'?t\b|\bi (?:have|need) to (?:ask|check|see|keep|make sure)\b",
        r"\b(?:can'?t|cannot) (?:go|come|make an exception|be let|open it|take you)\b|\bno "
        r"(?:entry|access)\b|\b(?:isn'?t|is not|aren'?t|are not) (?:allowed|permitted)\b|"
        r"\bcan'?t (?:let|allow)\b|\bnot (?:able|allowed)\b|\bwe can'?t let\b|"
        r"\bi need (?:the|this|it|that) (?:\w+ )?(?:clear|quiet|quieter|empty|open|closed|"
        r"calmer)\b|"
        r"\brule\b[^.!?]{0,20}\bis no\b",
    ),
    "caves": (
        r"\b(?:sure|fine|okay|ok|go on)[,!.]? (?:just |then )?(?:go|come|head) (?:on )?(?:through|"
        r"in|"
        r"up|ahead)\b|\bin you go\b|\bgo up then\b|\bjust go through\b",
    ),
    # ---- respect -------------------------------------------------------------------------
    "courtesy": (
        r"\bplease\b|\bthank(?:s| you)\b(?! for nothing)|\b(?:sir|ma'?am|madam|miss)\b|"
        r"\b(?:mr|mrs|ms|dr)\.? [a-z]+\b|\bgood (?:morning|afternoon|evening)\b|\b(?:hello|hi)\b",
        r"\bmy name is\b|\bfair (?:question|enough|point)\b|\byou'?re (?:right|welcome)\b|"
        r"\bi appreciate\b|\b(?:happy|glad) to\b|\bno problem\b|\btake your time\b|\bexcuse me\b",
    ),
    "reassurance": (
        r"\byou'?re (?:safe|not in trouble|not on your own|not alone|okay now)\b|"
        r"\byou(?:'ve| have) done nothing wrong\b|\bdid the right thing\b|\bdon'?t worry\b|"
        r"\bi believe you\b|\btogether\b|\bi'?m here\b|\bnothing to worry\b|\bit'?s okay\b",
        r"\b(?:we'?ll|we will|i'?ll|i will) (?:find|look after|take care of|get you|sort (?:this|"
        r"it)"
        r")\b|\bnot (?:your fault|what you (?:want|deserve))\b|\byou deserve\b|\bi'?ve got you\b",
    ),
}

COMPILED: dict[str, tuple[re.Pattern[str], ...]] = {
    name: tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in patterns)
    for name, patterns in FAMILIES.items()
}

# Words that are fine in capitals (acronyms); anything else in capitals reads as shouting.
ACRONYMS = frozenset(
    """I ID OK ER AE ICU CCTV HR CEO PA AM PM TV UK US USA NHS ATM PIN ETA GP VIP QR CT MRI ED
    A&E IT CV DVD ASAP FAQ NB PS ECG CPR GPS SOS""".split()
)
QUESTION_OPENERS = re.compile(
    r"^(?:what|what's|how|where|when|who|which|why|whose|is|are|was|were|do|does|did|have|has|"
    r"had|can|could|would|will|shall|should|may|tell|any|anything|any idea)\b",
    re.IGNORECASE,
)
OPEN_OPENERS = re.compile(
    r"^(?:(?:and |so |okay,? )?(?:what|what's|how|where|when|who|which|whose)\b|can you (?:tell|"
    r"describe|remember|show|think)|could you (?:tell|describe)|is there anything|anything)",
    re.IGNORECASE,
)
# Advice dressed as a question ("Have you tried...?") asks nothing about the person.
ADVICE_QUESTION = re.compile(
    r"^(?:have you (?:tried|considered|thought about|thought of)|why don'?t you|why not|"
    r"wouldn'?t it be (?:better|easier))\b",
    re.IGNORECASE,
)
OFFER_QUESTION = re.compile(
    r"\b(?:would|do) you (?:like|want) (?:me|to|a)\b|\bshall i\b|\bcan i (?:get|bring|call|take)\b"
    r"|\bwould (?:that|it) (?:help|work)\b|\bwould you (?:rather|prefer)\b|"
    r"\bhow would you prefer\b",
    re.IGNORECASE,
)

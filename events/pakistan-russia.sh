#!/usr/bin/env bash
# Records events/pakistan-russia.jsonl from the article (see events/README.md for
# how each date was derived). Kept for provenance: the log it made is the record;
# running this again writes a new log with new record times.
set -euo pipefail
LOG=${1:-events/pakistan-russia.jsonl}
timeline init "$LOG"

ARTICLE_TITLE="Russo-Pak dialogue in Moscow may strengthen joint strategy to deal with US post-withdrawal scenario in 2014"
src=(--source-title "$ARTICLE_TITLE" --source-publisher "Dispatch News Desk (DND)" --source-date "2013-08-28?")

timeline record "$LOG" --id 2003-02-musharraf-visits-russia \
  --date 2003-02 \
  --title "President Musharraf visits Russia; Moscow re-establishes a political dialogue with Islamabad" \
  --summary "Moscow re-established a political dialogue with Islamabad when President Musharraf visited Russia. Because of Russia's active engagement with India, not much headway could be made at that time." \
  --actor "PAKGOV:Musharraf:President of Pakistan" --actor "RUSGOV:Government of Russia" \
  --place "Russia:RUS" --cameo 042 --tag visit --tag political-dialogue "${src[@]}"

timeline record "$LOG" --id 2005-06-pakistan-supports-russia-oic-observer-bid \
  --date 2005-06 \
  --title "Pakistan supports Russia's bid for observer status in the Organisation of Islamic Conference" \
  --actor "PAKGOV:Government of Pakistan" --actor "RUSGOV:Government of Russia" \
  --actor "IGO:Organisation of Islamic Conference" \
  --cameo 051 --tag observer-status --tag oic "${src[@]}"

timeline record "$LOG" --id 2005-russia-helps-pakistan-sco-observer-status \
  --date "2005~" \
  --title "Russia helps Pakistan obtain observer status in the Shanghai Cooperation Organisation" \
  --summary "The article gives no date of its own: it says Russia did this in turn for Pakistan's support of its OIC bid in June 2005." \
  --actor "RUSGOV:Government of Russia" --actor "PAKGOV:Government of Pakistan" \
  --actor "IGO:Shanghai Cooperation Organisation" \
  --cameo 050 --tag observer-status --tag sco "${src[@]}"

timeline record "$LOG" --id 2012-foreign-secretaries-agree-strategic-dialogue \
  --date 2012 \
  --title "Foreign-secretary-level meeting decides to hold a Pakistan–Russia Strategic Dialogue" \
  --summary "Pakistan and Russia decided on the Strategic Dialogue at a foreign-secretary-level meeting \"last year\" (the article is of August 2013)." \
  --actor "PAKGOV:Foreign Secretary of Pakistan" --actor "RUSGOV:Russian Foreign Ministry" \
  --cameo 036 --tag strategic-dialogue "${src[@]}"

timeline record "$LOG" --id 2012-army-chief-kiyani-visits-moscow \
  --date 2012 \
  --title "Pakistan's army chief Gen Ashfaq Kiyani visits Moscow" \
  --summary "With the Russian Air chief's visit of August 2013, the first exchange of visits by the two countries' military chiefs; the article dates it \"last year\"." \
  --actor "PAKMIL:Ashfaq Kiyani:Chief of Army Staff" --actor "RUSMIL:Russian armed forces" \
  --place "Moscow:RUS" --cameo 042 --tag visit --tag defence "${src[@]}"

timeline record "$LOG" --id 2013-08-russian-air-chief-visits-pakistan \
  --date 2013-08 \
  --title "Russian Air Force chief visits Pakistan" \
  --summary "The article says the Russian Air chief visited Pakistan \"earlier this month\", completing the first exchange of visits by the two countries' military chiefs." \
  --actor "RUSMIL::Russian Air Force chief" --actor "PAKMIL:Pakistan armed forces" \
  --place "Pakistan:PAK" --cameo 042 --tag visit --tag defence "${src[@]}"

timeline record "$LOG" --id 2013-08-bilateral-trade-reported-542-million \
  --date 2013-08 \
  --title "Pakistan–Russia two-way trade reported at almost US\$542 million" \
  --summary "At the time of the article two-way trade stood at almost US\$542 million, with the balance in Russia's favour; its potential was estimated at about US\$4 billion." \
  --actor "PAK:Pakistan" --actor "RUS:Russia" --tag trade "${src[@]}"

timeline record "$LOG" --id 2013-08-28-first-strategic-dialogue-opens-moscow \
  --date 2013-08-28 \
  --title "First Pakistan–Russia Strategic Dialogue opens in Moscow" \
  --summary "The dialogue, the first of its kind, aims to upgrade political, diplomatic, economic and defence relations. Pakistan seeks to learn what Russia's presence will be at the Tajik and Kyrgyz borders after the NATO withdrawal from Afghanistan." \
  --actor "PAKGOV:Jalil Abbas Jilani:Foreign Secretary, head of the Pakistani team" \
  --actor "RUSGOV:Russian Foreign Ministry" \
  --place "Moscow:RUS" --cameo 040 --tag strategic-dialogue "${src[@]}"

timeline record "$LOG" --id 2014-nato-withdrawal-from-afghanistan \
  --date 2014 --status expected \
  --title "NATO forces withdraw from Afghanistan" \
  --summary "The withdrawal was still ahead when the article was written; the article frames the dialogue around the US post-withdrawal scenario." \
  --actor "IGOWSTNAT:NATO" --actor "USAMIL:US forces" \
  --place "Afghanistan:AFG" --cameo 0874 --tag withdrawal --tag afghanistan "${src[@]}"

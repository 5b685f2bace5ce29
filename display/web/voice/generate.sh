#!/usr/bin/env bash
# Generates the offline announcement voice of the hall screen.
#
#   display/web/voice/generate.sh            # writes display/web/static/voice/
#
# Needs espeak-ng (with its Mandarin data) and sox (with ogg/vorbis support);
# on Debian/Ubuntu: apt-get install espeak-ng sox libsox-fmt-all.
# No network access and no cloud TTS: every segment is synthesised locally.
#
# Output (committed, so a build never needs these tools):
#   static/voice/chime.ogg           short three-note chime played before each call
#   static/voice/zh/<key>.ogg        Mandarin segments 请 号 到 号窗口办理 零…九 十 百 千 A…Z
#   static/voice/en/<key>.ogg        English segments "number", "please go to window", digits,
#                                    teens, tens, "hundred", "thousand", A…Z
#   static/voice/*/<key>.wav         the same as 8-bit PCM WAV, for browsers without vorbis
#   static/voice/manifest.json       key -> {ogg, wav, dur} (seconds), read by static/js/voice.js
#
# Mandarin uses espeak-ng's "cmn-latn-pinyin" variant of the cmn voice: the text
# is given as pinyin with tone numbers, which avoids espeak's fallback of reading
# characters it lacks in English. Letters are read with the Chinese letter names
# (A = "ei", W = "da bu liu"), as hall announcements usually do.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/../static/voice}"
rate="${VOICE_RATE:-16000}"
zh_speed="${ZH_SPEED:-160}"
en_speed="${EN_SPEED:-150}"
wav="${VOICE_WAV:-1}"     # also write 8-bit WAV fallbacks (set 0 to skip)

for tool in espeak-ng sox soxi; do
  command -v "$tool" >/dev/null || { echo "generate.sh: $tool not found" >&2; exit 1; }
done
sox -h 2>/dev/null | grep -q 'vorbis' || { echo "generate.sh: sox lacks ogg/vorbis (install libsox-fmt-all)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out/zh" "$out/en"
mkdir -p "$out/zh" "$out/en"

manifest="$tmp/manifest.entries"
: >"$manifest"

# encode SRC.wav DEST (DEST without extension): trims the silence espeak puts
# around a word, keeps 15 ms on each side, normalises, resamples to mono $rate.
encode() {
  local src="$1" dest="$2" key="$3"
  sox "$src" -r "$rate" -c 1 "$tmp/trim.wav" \
    silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse \
    pad 0.015 0.015 norm -1
  sox "$tmp/trim.wav" -C 0 "$dest.ogg"
  if [ "$wav" = 1 ]; then
    sox "$tmp/trim.wav" -b 8 -e unsigned-integer -r 11025 "$dest.wav"
  fi
  local dur
  dur="$(soxi -D "$tmp/trim.wav")"
  printf '%s\t%s\n' "$key" "$dur" >>"$manifest"
}

say() { # say VOICE SPEED TEXT KEY
  local voice="$1" speed="$2" text="$3" key="$4"
  espeak-ng -v "$voice" -s "$speed" -w "$tmp/raw.wav" "$text"
  encode "$tmp/raw.wav" "$out/$key" "$key"
}

# ---- Mandarin -------------------------------------------------------------
zh() { say cmn-latn-pinyin "$zh_speed" "$1" "zh/$2"; }
zh "qing3"                       qing            # 请
zh "hao4"                        hao             # 号
zh "dao4"                        dao             # 到
zh "hao4 chuang1 kou3 ban4 li3"  hao_window      # 号窗口办理
zh "shi2"                        shi             # 十
zh "bai3"                        bai             # 百
zh "qian1"                       qian            # 千
digits_zh=(ling2 yi1 er4 san1 si4 wu3 liu4 qi1 ba1 jiu3)
for d in 0 1 2 3 4 5 6 7 8 9; do zh "${digits_zh[$d]}" "d$d"; done
for l in A B C D E F G H I J K L M N O P Q R S T U V W X Y Z; do
  # espeak reads a lone capital letter by its (Chinese-style) letter name
  say cmn-latn-pinyin "$zh_speed" "$l" "zh/$(echo "$l" | tr A-Z a-z)"
done

# ---- English --------------------------------------------------------------
en() { say en "$en_speed" "$1" "en/$2"; }
en "Number"               number
en "please go to window"  window
en "hundred"              hundred
en "thousand"             thousand
words=(zero one two three four five six seven eight nine ten eleven twelve thirteen
       fourteen fifteen sixteen seventeen eighteen nineteen)
for n in $(seq 0 19); do en "${words[$n]}" "n$n"; done
tens=([2]=twenty [3]=thirty [4]=forty [5]=fifty [6]=sixty [7]=seventy [8]=eighty [9]=ninety)
for t in 2 3 4 5 6 7 8 9; do en "${tens[$t]}" "n${t}0"; done
for l in A B C D E F G H I J K L M N O P Q R S T U V W X Y Z; do
  # "A." makes espeak say the letter name rather than the article
  en "$l." "$(echo "$l" | tr A-Z a-z)"
done

# ---- chime -----------------------------------------------------------------
sox -n -r "$rate" -c 1 "$tmp/chime.wav" synth 1.0 pl C5 pl E5 pl G5 delay 0 0.18 0.36 \
  remix - fade 0 1.0 0.35 norm -4
sox "$tmp/chime.wav" -C 0 "$out/chime.ogg"
[ "$wav" = 1 ] && sox "$tmp/chime.wav" -b 8 -e unsigned-integer -r 11025 "$out/chime.wav"
printf '%s\t%s\n' chime "$(soxi -D "$tmp/chime.wav")" >>"$manifest"

# ---- manifest --------------------------------------------------------------
{
  printf '{\n  "version": 1,\n  "generator": "display/web/voice/generate.sh (espeak-ng %s, sox)",\n' \
    "$(espeak-ng --version | awk '{print $4}')"
  printf '  "sample_rate": %s,\n  "segments": {\n' "$rate"
  first=1
  while IFS=$'\t' read -r key dur; do
    [ $first = 1 ] || printf ',\n'
    first=0
    if [ "$wav" = 1 ]; then
      printf '    "%s": {"ogg": "%s.ogg", "wav": "%s.wav", "dur": %.3f}' "$key" "$key" "$key" "$dur"
    else
      printf '    "%s": {"ogg": "%s.ogg", "dur": %.3f}' "$key" "$key" "$dur"
    fi
  done <"$manifest"
  printf '\n  }\n}\n'
} >"$out/manifest.json"

total="$(du -cb "$out"/chime.* "$out"/zh/* "$out"/en/* "$out/manifest.json" | tail -1 | cut -f1)"
echo "generate.sh: $(wc -l <"$manifest") segments, $total bytes in $out"

#!/usr/bin/env bash
# Refresh the TrueType fonts the PDF receipt embeds (Fira Sans, SIL OFL 1.1, the
# typeface KERN uses) from the npm registry. Typst embeds TrueType, not the web
# fonts (woff2), and PDF/A needs every font embedded.
set -euo pipefail
version="${FIRA_TTF_VERSION:-0.4.1}"
target=amtsweg/submissions/fonts
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@expo-google-fonts/fira-sans@$version" >/dev/null && tar xzf ./*.tgz)
rm -rf "$target"
mkdir -p "$target"
cp "$work/package/400Regular/FiraSans_400Regular.ttf" "$target/FiraSans-Regular.ttf"
cp "$work/package/600SemiBold/FiraSans_600SemiBold.ttf" "$target/FiraSans-SemiBold.ttf"
cp "$work/package/LICENSE_FONT" "$target/OFL.txt"
echo "@expo-google-fonts/fira-sans $version" > "$target/VERSION"
echo "Vendored the receipt fonts (Fira Sans $version) into $target"

#!/usr/bin/env bash
# Refresh the vendored KERN design system (CSS, the font weights it uses, licence)
# from the npm registry, so that running the app never needs Node.js.
set -euo pipefail
version="${KERN_VERSION:-$(node -p "require('./package.json').devDependencies['@kern-ux/native'].replace(/^[^0-9]*/, '')")}"
target=amtsweg/platform/static/kern
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@kern-ux/native@$version" >/dev/null && tar xzf ./*.tgz)
src="$work/package"
rm -rf "$target"
mkdir -p "$target/fonts/fira-sans"
cp "$src/dist/kern.min.css" "$target/"
cp "$src/LICENSE.md" "$target/LICENSE.md"
# KERN uses the weights 400, 500 and 600 (and 400 italic); vendor only those.
fonts=(Regular:400:normal Italic:400:italic Medium:500:normal SemiBold:600:normal)
: > "$target/fonts/fira-sans.css"
for entry in "${fonts[@]}"; do
  IFS=: read -r name weight style <<<"$entry"
  cp "$src/dist/fonts/fira-sans/FiraSans-$name.woff2" "$target/fonts/fira-sans/"
  printf '@font-face {\n  font-family: "Fira Sans";\n  src: url("./fira-sans/FiraSans-%s.woff2") format("woff2");\n  font-weight: %s;\n  font-style: %s;\n  font-display: swap;\n}\n' \
    "$name" "$weight" "$style" >> "$target/fonts/fira-sans.css"
done
echo "@kern-ux/native $version" > "$target/VERSION"
echo "Vendored KERN $version into $target"

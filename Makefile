# Two commands do all setup on a fresh Debian machine with Swift:
#   make dream   installs missing system packages, builds in release mode, renders a sample
#   make test    the same setup, then the whole test suite
PREFIX ?= /usr/local
SYSTEM_PACKAGES = libopenblas-dev libpng-dev libjpeg-dev zlib1g-dev pkg-config
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: dream test deps build install uninstall bench lint clean

deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	swift build -c release

dream: build
	.build/release/dream --preset ghost --map 56 samples/flower.jpg -o out/flower-ghost-m56.png --stages

test: deps
	swift test

bench: build
	.build/release/dream bench

lint:
	swift format lint --strict -r Sources Tests Package.swift

# The binary plus the bundled model, presets and MNIST files it finds under share/dream.
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/dream/models $(DESTDIR)$(PREFIX)/share/dream/presets \
		$(DESTDIR)$(PREFIX)/share/dream/data/mnist
	install -m 755 .build/release/dream $(DESTDIR)$(PREFIX)/bin/dream
	install -m 644 models/*.safetensors $(DESTDIR)$(PREFIX)/share/dream/models/
	install -m 644 presets/*.json $(DESTDIR)$(PREFIX)/share/dream/presets/
	install -m 644 data/mnist/* $(DESTDIR)$(PREFIX)/share/dream/data/mnist/

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/dream $(DESTDIR)$(PREFIX)/share/dream

clean:
	rm -rf .build out

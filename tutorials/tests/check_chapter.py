#!/usr/bin/env python3
"""Runs one tutorial chapter as the test suite does, and checks what it made.

    check_chapter.py CHAPTER PROGRAM OUTPUT_FOLDER

Runs PROGRAM --quick --output OUTPUT_FOLDER --overwrite, which must succeed
within 15 seconds, then checks the chapter's printed lines and files: not only
that they exist, but that the numbers are the ones the chapter's README
explains and the pictures are SVG documents holding what they should.
"""
import csv
import json
import math
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

SVG = '{http://www.w3.org/2000/svg}'
QUICK_SECONDS = 15


class Failed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise Failed(message)


def printed(out, line):
    """`line` (a regular expression) matches one whole printed line."""
    require(re.search('^' + line + '$', out, re.M), f'no printed line matches: {line}')


def svg(path):
    """The parsed SVG document at path (fails if missing or not well-formed SVG)."""
    require(path.is_file(), f'{path} was not written')
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise Failed(f'{path} is not well-formed XML: {e}')
    require(root.tag == SVG + 'svg', f'{path} is not an SVG document (root <{root.tag}>)')
    return root


def report(path):
    """The parsed report.html at path (train::Report writes well-formed XHTML syntax)."""
    require(path.is_file(), f'{path} was not written')
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as e:
        raise Failed(f'{path} is not well-formed XML: {e}')


def table_rows(root):
    """The cells' texts of every row of the report's tables (header rows included)."""
    return [[''.join(cell.itertext()).strip() for cell in row] for row in root.iter('tr')]


def results_csv(folder, header, rows):
    """results.csv parses, names `header` and has `rows` rows; returns its rows (without the header)."""
    path = folder / 'results.csv'
    require(path.is_file(), f'{path} was not written')
    lines = list(csv.reader(path.read_text().splitlines()))
    require(lines and lines[0] == header, f'results.csv header is {lines[:1]}, expected {header}')
    require(len(lines) - 1 == rows and all(len(l) == len(header) for l in lines[1:]),
            f'results.csv has {len(lines) - 1} rows, expected {rows}')
    require((folder / 'results.md').is_file(), 'results.md was not written')
    return lines[1:]


def inline_charts(page, count, name):
    """report.html holds `count` inline SVG documents and a table."""
    charts = list(page.iter(SVG + 'svg'))
    require(len(charts) == count, f'{name} has {len(charts)} inline SVGs, expected {count}')
    require(any(True for _ in page.iter('table')), f'{name} has no table')
    return charts


def texts(root):
    return [t.text or '' for t in root.iter(SVG + 'text')]


def marked(folder, names):
    """The harness's marker lists exactly the files the chapter wrote."""
    listed = [l for l in (folder / 'ember-run.txt').read_text().split('\n') if l and l[0] != '#']
    require(listed == names, f'ember-run.txt lists {listed}, expected {names}')


# ---- one check per chapter ----------------------------------------------------------------

def check_01_tensors(out, folder):
    printed(out, r'x\.t\(\) +\[4, 3\] +\[1, 4\] +0 +no +0 4 8 1 5 9 2 6 10 3 7 11')
    printed(out, r'x\.slice\(1, 1, 3\) +\[3, 2\] +\[4, 1\] +1 +no +1 2 5 6 9 10')
    printed(out, r'x\.slice\(0, 1, 2\)\.expand\(\{3, 4\}\) +\[3, 4\] +\[0, 1\] +4 +no +4 5 6 7 4 5 6 7 4 5 6 7')
    printed(out, r"every view shares x's storage \(shares_storage\): yes")
    printed(out, r"every view's values, read in order, are its walk: yes")
    printed(out, r"x\.contiguous\(\) is x itself \(is_same\): yes")
    printed(out, r"x\.t\(\)\.contiguous\(\) shares x's storage: no; a copy with strides \[3, 1\] "
                 r"whose storage holds 0 4 8 1 5 9 2 6 10 3 7 11")
    printed(out, r"x\.t\(\)\.view\(\{12\}\) throws ShapeError: .*\[4, 3\].*")
    printed(out, r".*keeps a storage of 1000000 floats alive; its clone\(\) keeps 1000")
    root = svg(folder / 'memory-layout.svg')
    bands = [t for t in root.iter(SVG + 'text') if t.get('font-weight') == 'bold']
    require(len(bands) == 7, f'memory-layout.svg draws {len(bands)} views, expected 7')
    read = [r for r in root.iter(SVG + 'rect') if r.get('fill') == '#9fc5e8']
    # cells read: x 12, view 12, t() 12, two slices 6 + 6, select 4, expand 4
    require(len(read) == 56, f'memory-layout.svg shades {len(read)} storage cells, expected 56')
    require(len(list(root.iter(SVG + 'path'))) > 50, 'memory-layout.svg draws too few arrows')
    rows = results_csv(folder, ['tensor', 'shape', 'strides', 'offset', 'contiguous',
                                "shares x's storage"], 9)
    require([r[5] for r in rows] == ['yes'] * 7 + ['no'] * 2,
            f'results.csv: the views should share x\'s storage, the copies not: {rows}')
    require(rows[2] == ['x.t()', '[4, 3]', '[1, 4]', '0', 'no', 'yes'], f'results.csv x.t(): {rows[2]}')
    page = report(folder / 'report.html')
    require(['x.t()', '[4, 3]', '[1, 4]', '0', 'no', 'yes'] in table_rows(page),
            'report.html has no row for x.t()')
    charts = inline_charts(page, 1, 'report.html')
    require(len([t for t in charts[0].iter(SVG + 'text') if t.get('font-weight') == 'bold']) == 7,
            'report.html does not show memory-layout.svg')
    marked(folder, ['memory-layout.svg', 'results.md', 'results.csv', 'report.html'])


def check_02_broadcasting(out, folder):
    printed(out, r'\[3, 1\] +\[1, 4\] +\[3, 4\] +\[3, 4\]')
    printed(out, r'\[4, 1, 3\] +\[5, 1\] +\[4, 5, 3\] +\[4, 5, 3\]')
    printed(out, r'\[2, 3\] +\[2\] +no +ShapeError')
    printed(out, r' +add: cannot broadcast \[2, 3\] with \[2\].*')
    printed(out, r'x - x\.mean\(\{1\}\) throws ShapeError: .*\[3, 4\].*\[3\].*')
    printed(out, r'adding 0\.1 10000000 times: a float loop gives 1087937\.0, '
                 r'Tensor::full\(\{10000000\}, 0\.1f\)\.sum\(\) gives 1000000\.0')
    backward = re.search(r'^b\.grad\(\) by backward\(\) += (.*)$', out, re.M)
    by_hand = re.search(r'^dy\.sum\(\{0\}\) by hand += (.*)$', out, re.M)
    require(backward and by_hand and backward.group(1) == by_hand.group(1),
            'b.grad() and dy.sum({0}) do not print the same')
    require(re.search(r'column\.grad\(\) =\s+tensor\(\[\[6\],\s+\[22\],\s+\[38\]\]', out),
            'column.grad() is not the row sums [6, 22, 38]')
    printed(out, r'row\.grad\(\) += tensor\(\[\[12, 15, 18, 21\]\].*')
    root = svg(folder / 'broadcasting.svg')
    for label in ['column + row', 'column.grad [3, 1]', 'g [3, 4]']:
        require(any(t.startswith(label) for t in texts(root)), f'broadcasting.svg has no "{label}"')
    require(sum(1 for r in root.iter(SVG + 'rect')) >= 4 * 12 + 3 + 4,
            'broadcasting.svg draws too few cells')
    rows = results_csv(folder, ['check', 'a', 'b', 'the rule / by hand', 'ember', 'agree'], 10)
    require(all(r[5] == 'yes' for r in rows), f'results.csv: the rule or a gradient disagrees: {rows}')
    require(rows[8][3] == '[6, 22, 38]' and rows[9][3] == '[12, 15, 18, 21]',
            f'results.csv: column.grad and row.grad are not the sums: {rows[8:]}')
    page = report(folder / 'report.html')
    require(['shape of a + b', '[2, 3]', '[2]', 'no', 'ShapeError', 'yes'] in table_rows(page),
            'report.html has no row for [2, 3] + [2]')
    charts = inline_charts(page, 1, 'report.html')
    require('column + row' in texts(charts[0]), 'report.html does not show broadcasting.svg')
    marked(folder, ['broadcasting.svg', 'results.md', 'results.csv', 'report.html'])


def check_03_autograd(out, folder):
    printed(out, r'forward:  x = a\*b = -6, y = x \+ a = -4, L = y\^2 = 16')
    printed(out, r' +dL/da = dL/dx \* b \+ dL/dy \* 1 = 24 \+ -8 = 16')
    printed(out, r' +dL/db = dL/dx \* a = -16')
    printed(out, r'backward visits: pow add mul')
    printed(out, r'backward: a\.grad\(\) = 16, b\.grad\(\) = -16')
    errors = {float(m.group(1)): float(m.group(2))
              for m in re.finditer(r'^ +(\S+e-0\d) +(\S+e-\d\d) +(\S+e-\d\d|< 1e-9)$', out, re.M)}
    require(len(errors) == 6, f'the eps table has {len(errors)} rows, expected 6')
    require(errors[1e-3] < 1e-2 and errors[1e-6] > errors[1e-3] and errors[1e-1] > errors[1e-3],
            f'the float32 error is not smallest near eps = 1e-3: {errors}')
    require(len(re.findall(r'^(w1|b1|w2|b2) +\[[0-9, ]+\] +below 1e-6$', out, re.M)) == 4,
            'backward() and the gradients by hand do not agree to 1e-6 for all four parameters')
    printed(out, r'gradcheck\(network, \{w1, b1, w2, b2\}\): passed')
    printed(out, r'gradcheck\(buggy, \{w1, b1, w2, b2\}\): FAILED; worst element in (w1|b1): '
                 r'backward says 0, .*')
    scalar = (folder / 'scalar-graph.dot').read_text()
    network = (folder / 'network-graph.dot').read_text()
    for op in ['pow', 'add', 'mul', 'a\\n[]', 'b\\n[]']:
        require(op in scalar, f'scalar-graph.dot has no {op}')
    for op in ['cross_entropy', 'matmul', 'relu', 'w1\\n[3, 5]', 'b2\\n[2]']:
        require(op in network, f'network-graph.dot has no {op}')
    require(network.startswith('digraph') and network.count('->') == 9,
            'network-graph.dot is not the 6 ops and 4 leaves joined by 9 edges')
    files = ['scalar-graph.dot', 'network-graph.dot']
    if shutil.which('dot'):
        for name in ['scalar-graph', 'network-graph']:
            nodes = [g for g in svg(folder / f'{name}.svg').iter(SVG + 'g') if g.get('class') == 'node']
            require(len(nodes) == (5 if name == 'scalar-graph' else 10),
                    f'{name}.svg draws {len(nodes)} nodes')
        files = ['scalar-graph.dot', 'network-graph.dot', 'scalar-graph.svg', 'network-graph.svg']
    else:
        printed(out, r'.*scalar-graph\.dot: Graphviz is not installed.*')
    rows = results_csv(folder, ['gradient', 'compared', 'max difference', 'verdict'], 8)
    require([r[3] for r in rows] == ['equal'] * 2 + ['below 1e-6'] * 4 + ['passed', 'FAILED'],
            f'results.csv verdicts: {[r[3] for r in rows]}')
    page = report(folder / 'report.html')
    require(any(r[:1] == ['gradcheck(buggy, {w1, b1, w2, b2})'] and r[-1] == 'FAILED'
                for r in table_rows(page)), 'report.html does not show the buggy gradcheck failing')
    graphs = inline_charts(page, 2 if shutil.which('dot') else 0, 'report.html')
    for graph, nodes in zip(graphs, [5, 10]):
        drawn = [g for g in graph.iter(SVG + 'g') if g.get('class') == 'node']
        require(len(drawn) == nodes, f'report.html: an inline graph draws {len(drawn)} nodes, expected {nodes}')
    marked(folder, files + ['results.md', 'results.csv', 'report.html'])


def png_size(path):
    """(width, height) of the PNG at path (fails if missing or not a PNG)."""
    require(path.is_file(), f'{path} was not written')
    head = path.read_bytes()[:24]
    require(head[:8] == b'\x89PNG\r\n\x1a\n' and head[12:16] == b'IHDR', f'{path} is not a PNG')
    return int.from_bytes(head[16:20], 'big'), int.from_bytes(head[20:24], 'big')


def number(out, pattern):
    """The number the one printed line matching `pattern` (with one group) holds."""
    m = re.search('^' + pattern + '$', out, re.M)
    require(m, f'no printed line matches: {pattern}')
    return float(m.group(1))


def check_04_logistic_regression(out, folder):
    printed(out, r'training x \[2000, 784\], test x \[2000, 784\], pixels in \[0, 1\], mean 0\.\d+')
    start = number(out, r'before training: test loss (\S+) \(ln 10 = 2\.3026\), test accuracy \S+')
    require(2.25 < start < 2.4, f'the untrained loss {start} is not near ln 10 = 2.3026')
    epochs = re.findall(r'^ +(\d+) +63 +([0-9.]+) +([0-9.]+) +([0-9.]+)$', out, re.M)
    require(len(epochs) == 10, f'the training table has {len(epochs)} epochs of 63 steps, expected 10')
    train_loss = [float(e[1]) for e in epochs]
    test_loss = [float(e[2]) for e in epochs]
    require(train_loss[-1] < 0.6 * train_loss[0] and test_loss[-1] < start / 2,
            f'the loss did not fall: train {train_loss}, test {test_loss}')
    # The lesson of section 3: nn + optim are the same arithmetic, to the bit.
    printed(out, r'steps: 630 by hand, 630 with nn')
    printed(out, r'losses bitwise equal: 630 of 630 steps \(largest difference 0\)')
    printed(out, r'after training: max \|W - weight\| = 0, max \|b - bias\| = 0')
    other = number(out, r'logits of 32 images, x W\^T against x Wt: \d+ of 320 differ, '
                        r'by at most (\S+) \(largest logit \S+\)')
    require(other < 1e-5, f'the other layout differs by {other}: more than rounding')
    accuracy = number(out, r'test accuracy (\S+); per class:')
    require(accuracy > 0.65, f'test accuracy {accuracy} after 630 steps: the model did not learn')
    require(len(re.findall(r'^  (T-shirt/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag'
                           r'|Ankle boot) +[01]\.\d{3}$', out, re.M)) == 10, 'not 10 per-class accuracies')
    root = svg(folder / 'loss.svg')
    for label in ['training (mean over the tenth)', 'test (at the end of the tenth)',
                  'ln 10 (a uniform guess)']:
        require(label in texts(root), f'loss.svg has no series "{label}"')
    # 10 columns x 2 rows of 28 x 28 tiles drawn 3 times larger, with captions.
    width, height = png_size(folder / 'templates.png')
    require(width > 10 * 84 and 2 * 84 < height < 2 * 84 + 80, f'templates.png is {width} x {height}')
    # report.html: the two trainings side by side (the same numbers, bitwise equal),
    # the loss chart and the per-class bars inline, the templates as an inline PNG.
    page = report(folder / 'report.html')
    rows = {r[0]: r[1:] for r in table_rows(page) if r}
    by_hand = rows.get('by hand: tensors, autograd, W -= lr * grad')
    with_nn = rows.get('nn::Linear + cross_entropy + optim::SGD')
    require(by_hand and with_nn, f'report.html has no table of the two trainings: {list(rows)}')
    require(by_hand[0] == with_nn[0] == '630' and by_hand[1:3] == with_nn[1:3],
            f'report.html: the two trainings differ: {by_hand} against {with_nn}')
    require(abs(float(by_hand[2]) - accuracy) < 1e-4, f'report.html gives accuracy {by_hand[2]}, printed {accuracy}')
    require(with_nn[3] == 'yes: 630 of 630 losses; W, b equal', f'report.html says bitwise equal: {with_nn[3]}')
    charts = list(page.iter(SVG + 'svg'))
    require(len(charts) == 2, f'report.html has {len(charts)} inline charts, expected 2 (loss, per class)')
    require('ln 10 (a uniform guess)' in texts(charts[0]), 'report.html\'s first chart is not the loss chart')
    require('Test accuracy per class' in texts(charts[1]) and 'Ankle boot' in texts(charts[1]),
            'report.html\'s second chart is not the per-class bar chart')
    images = [i.get('src', '') for i in page.iter('img')]
    require(len(images) == 1 and images[0].startswith('data:image/png;base64,'),
            f'report.html does not show templates.png inline: {[i[:40] for i in images]}')
    rows = results_csv(folder, ['training', 'steps', 'final test loss', 'test accuracy',
                                'bitwise equal to by hand'], 2)
    require(rows[0][1] == rows[1][1] == '630' and rows[1][4].startswith('yes: 630 of 630'),
            f'results.csv does not show two equal trainings of 630 steps: {rows}')
    marked(folder, ['loss.svg', 'templates.png', 'results.md', 'results.csv', 'report.html'])


def check_05_mlp_initialization(out, folder):
    def row(section, setup):
        """The numbers of `setup`'s row (e.g. 'relu he') in the section starting '== section'."""
        part = out[out.index('== ' + section):]
        m = re.search('^' + setup + r' +(.*)$', part, re.M)
        require(m, f'the {section} table has no row "{setup}"')
        return [float(v) if re.fullmatch(r'-?[0-9.]+(e[-+]\d+)?|inf|nan', v) else v
                for v in m.group(1).split()]
    # The per-layer factor sqrt(n var(w) / 2) for relu, sqrt(n var(w)) for tanh.
    factors = {name: row('setups', name) for name in ['glorot', 'he', 'small', 'large']}
    require(abs(factors['he'][1] - 1) < 0.05 and abs(factors['glorot'][2] - 1) < 0.05 and
            abs(factors['small'][1] - 0.113) < 0.01 and abs(factors['large'][1] - 11.3) < 0.5,
            f'the setups table does not give the expected factors: {factors}')
    # Forward: the measured std ratio of layers 3 and 2 follows the factor.
    ratio = {s: row('forward', s)[-1] for s in ['relu glorot', 'relu he', 'relu small', 'relu large',
                                                 'tanh small']}
    require(0.6 < ratio['relu glorot'] < 0.85 and 0.9 < ratio['relu he'] < 1.15 and
            0.08 < ratio['relu small'] < 0.16 and 9 < ratio['relu large'] < 15 and
            0.12 < ratio['tanh small'] < 0.2, f'the std ratios are off: {ratio}')
    require(row('forward', 'tanh large')[8] > 0.5, 'tanh large is not saturated at the start')
    # Backward: the gradient reaching layer 1 vanishes (small) or explodes (large) with depth.
    small, he, large = row('backward', 'relu small'), row('backward', 'relu he'), row('backward', 'relu large')
    require(small[0] < small[2] / 20 and large[0] > 20 * large[2] and 0.5 < he[0] / he[2] < 2,
            f'no vanishing / exploding signal: small {small}, he {he}, large {large}')
    require(max(small[3:]) < min(he[3:]) / 100, 'the small init\'s weight gradients are not tiny')
    # Training: the ordering of the four starts.
    last = {s: row('training', s)[2] for s in ['relu glorot', 'relu he', 'relu small', 'tanh glorot',
                                               'tanh he', 'tanh small', 'tanh large']}
    require(abs(last['relu small'] - 2.30) < 0.05 and abs(last['tanh small'] - 2.30) < 0.05,
            f'the small init should still sit at ln 10: {last}')
    require(max(last['relu he'], last['relu glorot'], last['tanh he'], last['tanh glorot']) < 2.0,
            f'glorot and he did not learn: {last}')
    require(last['tanh large'] > 5, f'the large init should be far above the others: {last}')
    printed(out, r'relu large .* stopped: loss (nan|inf) at step \d+')
    names = ['statistics.csv', 'spread.svg', 'signal.svg', 'loss-relu.svg', 'loss-tanh.svg',
             'spread-training.svg', 'dead-relu.svg']
    for name, series in [('spread.svg', 8), ('signal.svg', 8), ('loss-relu.svg', 4),
                         ('loss-tanh.svg', 4), ('spread-training.svg', 8), ('dead-relu.svg', 4)]:
        titles = list(svg(folder / name).iter(SVG + 'title'))  # one per series
        require(len(titles) == series, f'{name} has {len(titles)} series, expected {series}')
    rows = (folder / 'statistics.csv').read_text().strip().split('\n')
    require(rows[0] == 'activation,init,step,layer,mean,std,stuck' and len(rows) > 8 * 3 * 2,
            f'statistics.csv has {len(rows)} lines')
    results = {r[0]: r[1:] for r in results_csv(
        folder, ['setup', 'std ratio 3 / 2', 'gradient ratio 1 / 3', 'final loss', 'test accuracy',
                 'stopped'], 8)}
    require(abs(float(results['relu he'][0]) - ratio['relu he']) < 1e-3 and
            float(results['relu small'][1]) < 0.05 and float(results['relu large'][1]) > 20,
            f'results.csv does not hold the printed ratios: {results}')
    require(results['relu large'][4].startswith('loss ') and results['relu large'][3] == '',
            f'results.csv: relu large should have stopped: {results["relu large"]}')
    page = report(folder / 'report.html')
    require(any(r[:1] == ['tanh small'] for r in table_rows(page)), 'report.html has no row for tanh small')
    inline_charts(page, 6, 'report.html')
    marked(folder, names + ['results.md', 'results.csv', 'report.html'])


def check_06_convolution(out, folder):
    printed(out, r'work: 32 \* 784 outputs per image, each a sum of 800 products: 1\.285 GFLOP.*')
    printed(out, r'as matrix products: per image, weight \[32, 800\] x columns \[800, 784\]')
    printed(out, r'\(0,1,1\) +1 +2 +3 +4 +5 +6 +7 +8 +9 +10 +11 +12 +13 +14 +15 +16')
    printed(out, r'on the layer, image by image: im2col_textbook and kernels::im2col give '
                 r'columns \[800, 784\] with max \|difference\| = 0')
    kernels = ['im2col_gemm', 'ember_im2col', 'ember_direct', 'reordered']
    check = out[out.index('== check'):out.index('== time')]
    for name in kernels:
        m = re.search(r'^' + name + r' +(\S+)$', check, re.M)
        require(m, f'the check prints no line for {name}, or says it differs')
        require(float(m.group(1)) < 1e-4, f'{name} differs from the naive loops by {m.group(1)}')
    # The timings vary from run to run: only that each kernel was timed, in
    # the table and in timings.csv, with GFLOP/s that agree with the time.
    rows = list(csv.DictReader((folder / 'timings.csv').open()))
    require([r['kernel'] for r in rows] == ['sgemm', 'naive'] + kernels,
            f'timings.csv times {[r["kernel"] for r in rows]}')
    for r in rows:
        ms, gflops, flops = float(r['cpu_ms']), float(r['gflops']), 2 * int(r['batch']) * 32 * 800 * 784
        require(ms > 0 and abs(gflops - flops / (ms * 1e-3) / 1e9) < 0.01 * gflops + 0.01,
                f'timings.csv: {r["kernel"]} takes {ms} ms but does {gflops} GFLOP/s')
        printed(out, re.escape(r['kernel']) + r' +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+%')
    # The profile: one row per layer of the CNN, its four convolutions first among them.
    profile = (folder / 'profile.txt').read_text()
    require(profile in out, 'the profile printed is not profile.txt')
    layers = re.findall(r'^(\d+) +(\w+) +\[', profile, re.M)
    require(len(layers) == 12 and [t for _, t in layers].count('Conv2D') == 4,
            f'the profile shows {layers}, not the 12 layers of cnn_4conv')
    root = svg(folder / 'im2col.svg')
    blue = [r for r in root.iter(SVG + 'rect') if r.get('fill') == '#9fc5e8']
    require(len(blue) == 18, f'im2col.svg shades {len(blue)} cells, expected the field and its column (18)')
    # the background, the padded image's 6 x 6 cells, the columns' 9 x 16
    require(len(list(root.iter(SVG + 'rect'))) == 1 + 36 + 9 * 16,
            'im2col.svg draws the wrong number of cells')
    # results.csv and report.html: per kernel the check's difference and the timings.
    with open(folder / 'results.csv') as f:
        results = list(csv.reader(f))
    require(results[0] == ['kernel', 'max |out - naive|', 'wall ms', 'CPU ms', 'GFLOP/s', '% of SGEMM']
            and [r[0] for r in results[1:]] == ['sgemm', 'naive'] + kernels,
            f'results.csv has rows {results}')
    for r in results[2:]:
        require(float(r[1]) < 1e-4 and float(r[4]) > 0, f'results.csv: {r}')
    page = report(folder / 'report.html')
    rows = {r[0]: r[1:] for r in table_rows(page) if r}
    require(all(name in rows for name in ['sgemm', 'naive'] + kernels),
            f'report.html has no row per kernel: {list(rows)}')
    charts = list(page.iter(SVG + 'svg'))
    require(len(charts) == 2, f'report.html has {len(charts)} inline charts, expected 2 (GFLOP/s, im2col)')
    require('GFLOP/s per kernel (from the CPU time)' in texts(charts[0]) and 'naive' in texts(charts[0]),
            'report.html\'s first chart is not the GFLOP/s bar chart')
    require(len([r for r in charts[1].iter(SVG + 'rect') if r.get('fill') == '#9fc5e8']) == 18,
            'report.html\'s second chart is not im2col.svg')
    marked(folder, ['im2col.svg', 'timings.csv', 'profile.txt', 'results.md', 'results.csv',
                    'report.html'])


def check_07_custom_layer(out, folder):
    printed(out, r'backward visits, yours: +sum mul swish')
    printed(out, r'backward visits, built-in: +sum mul mul sigmoid mul')
    printed(out, r'max \|yours - built-in\|: output 0, d/dx below 1e-6, d/dbeta below 1e-6')
    printed(out, r'gradcheck\(swish, \{x, beta\}\): passed')
    printed(out, r'gradcheck\(swish with d/dx = s, \{x, beta\}\): FAILED; worst element: x\[\d+\], '
                 r'backward says .*, finite differences say .*')
    printed(out, r' +\(hidden\): SwishDense\(784, 64')
    printed(out, r'hidden \(SwishDense\) +\(None, 64\) +50304 *')
    printed(out, r'Non-trainable params: 2')  # Standardize's two buffers
    printed(out, r'parameters\(\) count +50,304 +64')
    printed(out, r'state_dict\(\) keys +beta, linear\.weight, linear\.bias +beta')
    printed(out, r'eval\(\) reaches Linear +yes +no')
    # Training: the loss goes down and the model learns (2 epochs on 2,000 images).
    epochs = re.findall(r'- loss: ([0-9.]+) - accuracy: ([0-9.]+) - val_loss: ([0-9.]+) - '
                        r'val_accuracy: ([0-9.]+)$', out, re.M)
    require(len(epochs) == 2, f'{len(epochs)} epoch lines, expected 2')
    require(float(epochs[1][0]) < float(epochs[0][0]), f'the loss did not go down: {epochs}')
    require(float(epochs[1][3]) > 0.7, f'validation accuracy {epochs[1][3]} after 2 epochs')
    beta = re.search(r'^hidden\.beta after training: min ([0-9.]+), mean [0-9.]+, max ([0-9.]+)', out, re.M)
    require(beta and float(beta.group(1)) < 1 < float(beta.group(2)),
            'beta did not move from 1 in training: the op\'s gradient did not reach it')
    for name, shape in [('hidden.beta', '[64]'), ('hidden.linear.weight', '[64, 784]'),
                        ('0.mean', '[1]'), ('0.std', '[1]')]:
        printed(out, '  ' + re.escape(name) + ' +' + re.escape(shape))
    printed(out, r'before loading: outputs equal the trained model\'s: no; .*')
    printed(out, r'after loading:  outputs equal the trained model\'s: yes; fresh '
                 r'Standardize\(mean=0\.2860, std=0\.3530\)')
    printed(out, r"into a model with a plain Linear: .*missing tensor\(s\) 'hidden\.weight', 'hidden\.bias'")
    header = (folder / 'swish-mlp.safetensors').read_bytes()
    require(b'"hidden.beta"' in header, 'swish-mlp.safetensors holds no hidden.beta')
    for chart in ['loss', 'accuracy']:
        labels = texts(svg(folder / f'{chart}.svg'))
        require('training' in labels and 'validation' in labels, f'{chart}.svg has no legend')
    # results.csv and report.html: the verdicts and the last epoch's figures.
    with open(folder / 'results.csv') as f:
        results = list(csv.reader(f))
    require(results[0] == ['what', 'result', 'value'] and len(results) == 8,
            f'results.csv has {len(results)} lines: {results}')
    rows = {r[0]: r[1:] for r in results[1:]}
    require(rows.get('gradcheck(swish, {x, beta})') == ['passed', ''] and
            rows.get('gradcheck(swish with d/dx = s, {x, beta})', [''])[0].startswith('FAILED; worst element x[')
            and rows.get("loaded model's outputs equal the trained model's") == ['yes', ''],
            f'results.csv: {rows}')
    require(rows.get('validation accuracy, last epoch') == ['', epochs[1][3]],
            f'results.csv gives validation accuracy {rows.get("validation accuracy, last epoch")}, '
            f'printed {epochs[1][3]}')
    page = report(folder / 'report.html')
    require([r[0] for r in table_rows(page)[1:]] == [r[0] for r in results[1:]],
            'report.html\'s table is not results.csv\'s')
    charts = list(page.iter(SVG + 'svg'))
    require(len(charts) == 2 and all('validation' in texts(c) for c in charts),
            f'report.html has {len(charts)} inline charts, expected 2 (loss, accuracy)')
    marked(folder, ['loss.svg', 'accuracy.svg', 'swish-mlp.safetensors', 'results.md', 'results.csv',
                    'report.html'])


def series(path):
    """A line chart's curves: {label: [values]} from each series' <title>."""
    curves = {}
    for g in svg(path).iter(SVG + 'g'):
        if g.get('class') == 'series':
            title = g.find(SVG + 'title').text
            label, _, values = title.rpartition(': ')
            curves[label] = [float(v) for v in values.split(', ')]
    return curves


def table(out, header, rows):
    """The len(rows) lines printed after the line starting with `header`:
    {first column(s): [numbers]}; a name may hold spaces, numbers not."""
    lines = out.split('\n')
    start = next((i for i, l in enumerate(lines) if l.startswith(header)), None)
    require(start is not None, f'no table printed under "{header}"')
    found = {}
    for line in lines[start + 1:start + 1 + len(rows)]:
        words = line.split()
        numbers = []
        while words and re.fullmatch(r'-?[0-9.]+(e[-+][0-9]+)?', words[-1]):
            numbers.insert(0, float(words.pop()))
        found[' '.join(words)] = numbers
    require(list(found) == rows, f'the table under "{header}" has rows {list(found)}, expected {rows}')
    return found


OPTIMIZERS = ['SGD', 'SGD momentum', 'Nesterov', 'Adam', 'RMSprop', 'Adagrad', 'Adadelta', 'Adamax']
SCHEDULES = ['constant', 'step decay', 'exponential decay', 'Keras decay', 'ReduceLROnPlateau']


def check_08_optimizers(out, folder):
    printed(out, r'== problem: 640 training images, 320 validation images \(Fashion-MNIST\), batch 32, '
                 r'2 epochs ==')
    printed(out, r'starting loss 2\.[0-9]{4} .*; gradient RMS \S+ per weight, [0-9.]+% of them exactly 0')
    # The first step's size: each optimizer as its formula says.
    first = {m.group(1): float(m.group(2)) for m in re.finditer(
        r'^(\S+(?: \S+)?) +0\.0+1 +([0-9.]+e-[0-9]+) +\S.*$', out[:out.index('== optimizers')], re.M)}
    require(list(first) == OPTIMIZERS, f'the first-step table has rows {list(first)}')
    require(first['SGD'] == first['SGD momentum'], 'momentum changed the first step')
    require(1.8 < first['Nesterov'] / first['SGD'] < 2.0, 'Nesterov\'s first step is not 1.9x SGD\'s')
    require(5e-4 < first['Adam'] <= 1e-3 and 5e-4 < first['Adamax'] <= 1e-3,
            'Adam\'s and Adamax\' first steps are not about lr = 1e-3')
    require(2.5 < first['RMSprop'] / first['Adam'] < 3.3, 'RMSprop\'s first step is not 3.16x Adam\'s')
    require(first['Adadelta'] < first['Adagrad'] < first['SGD'],
            'the first steps are not Adadelta < Adagrad < SGD')
    # Trained: losses went down; Adagrad and Adadelta crawl at lr 0.001 and not at larger rates.
    rows = table(out, 'optimizer     lr        loss ep. 1', OPTIMIZERS)
    for name, (lr, loss1, loss_last, acc, step1, step_last, vs_adam) in rows.items():
        require(loss_last < loss1, f'{name}: the loss did not go down ({loss1} -> {loss_last})')
    require(rows['Adadelta'][6] < 0.01 and rows['Adagrad'][6] < 0.2,
            'Adadelta\'s and Adagrad\'s steps are not far smaller than Adam\'s')
    require(rows['Adam'][2] < rows['Adagrad'][2] < rows['Adadelta'][2],
            'the final losses are not Adam < Adagrad < Adadelta')
    faster = table(out, 'optimizer     lr        loss ep. 1', OPTIMIZERS)  # the first table again
    rates_at = out.index('== rates')
    rates = table(out[rates_at:], 'optimizer', ['Adagrad', 'Adadelta'])
    require(rates['Adagrad'][0] == 0.01 and rates['Adadelta'][0] == 1.0, 'the larger rates are not 0.01 and 1')
    for name in ['Adagrad', 'Adadelta']:
        require(rates[name][2] < faster[name][2], f'{name} at a larger rate did not end lower')
    # Momentum: longer steps, a longer net move, a lower loss after one epoch.
    moves = table(out, 'optimizer        mean step', ['SGD', 'SGD momentum', 'Nesterov'])
    require(moves['SGD momentum'][2] > 2 * moves['SGD'][2], 'momentum did not move the weights further')
    require(moves['SGD momentum'][4] < moves['SGD'][4], 'momentum did not lower the epoch-1 loss')
    # Schedules: the rates each one reached after 2 epochs (20 steps each).
    sched = table(out, 'schedule', SCHEDULES)
    expected_lr = {'constant': 0.05, 'step decay': 0.05, 'exponential decay': 0.04,
                   'Keras decay': 0.05 / (1 + 1e-3 * 20), 'ReduceLROnPlateau': 0.05}
    for name, lr in expected_lr.items():
        require(abs(sched[name][0] - lr) < 0.0006, f'{name}: lr {sched[name][0]}, expected {lr:.4f}')
    # The files.
    with open(folder / 'optimizers.csv') as f:
        csv_rows = list(csv.DictReader(f))
    require([r['optimizer'] for r in csv_rows] == OPTIMIZERS + ['Adagrad', 'Adadelta'],
            'optimizers.csv does not list the ten runs')
    curves = series(folder / 'optimizers-loss.svg')
    require(list(curves) == OPTIMIZERS, f'optimizers-loss.svg draws {list(curves)}')
    require(all(len(v) == 10 for v in curves.values()), 'optimizers-loss.svg: not 5 points per epoch')
    lrs = series(folder / 'schedules-lr.svg')
    require(list(lrs) == SCHEDULES and lrs['exponential decay'] == [0.05, 0.04],
            f'schedules-lr.svg draws {lrs}')
    require(list(series(folder / 'schedules-loss.svg')) == SCHEDULES, 'schedules-loss.svg lacks a schedule')
    # results.csv and report.html: every run's lr and final figures, the three charts.
    with open(folder / 'results.csv') as f:
        results = list(csv.reader(f))
    require(results[0] == ['optimizer', 'lr', 'loss epoch 1', 'loss last', 'val accuracy'] and
            [r[0] for r in results[1:]] == OPTIMIZERS + ['Adagrad', 'Adadelta'],
            f'results.csv has rows {[r[0] for r in results]}')
    require([float(r[1]) for r in results[-2:]] == [0.01, 1.0], 'results.csv: the larger rates are not 0.01, 1')
    for r, (name, numbers) in zip(results[1:], rows.items()):
        require(abs(float(r[3]) - numbers[2]) < 1e-4, f'results.csv: {name} ends at {r[3]}, printed {numbers[2]}')
    page = report(folder / 'report.html')
    require([r[0] for r in table_rows(page)[1:11]] == [r[0] for r in results[1:]],
            'report.html\'s first table is not results.csv\'s')
    charts = list(page.iter(SVG + 'svg'))
    titles = [texts(c) for c in charts]
    require(len(charts) == 3 and 'Training loss, same start, Keras\' default rates' in titles[0] and
            'Learning rate at the start of each epoch' in titles[1] and
            'Validation loss under each schedule' in titles[2],
            f'report.html has {len(charts)} inline charts, expected the three')
    marked(folder, ['optimizers.csv', 'optimizers-loss.svg', 'schedules.csv', 'schedules-lr.svg',
                    'schedules-loss.svg', 'results.md', 'results.csv', 'report.html'])


def safetensors_header(path):
    """The JSON header of a .safetensors file: an 8-byte little-endian length, then the JSON."""
    data = path.read_bytes()
    n = int.from_bytes(data[:8], 'little')
    return json.loads(data[8:8 + n])


def have_numpy():
    return subprocess.run(['/usr/bin/python3', '-c', 'import numpy'],
                          capture_output=True).returncode == 0


def check_09_checkpoints(out, folder):
    printed(out, r'a fresh model loads it: max \|logits - original logits\| over 500 images = 0, '
                 r'accuracy (0\.[0-9]{4}) \(original \1\)')
    for name, shape in [('1.weight', '128, 784'), ('1.bias', '128'), ('3.weight', '10, 128'),
                        ('3.bias', '10')]:
        printed(out, re.escape(f'{name}.npy: ') + r'[0-9]+ bytes, ' + re.escape(f'[{shape}]') +
                r', reads back equal')
    # The resumed run's figures and weights are the straight run's, to the bit.
    rows = re.findall(r'^ +([1-4]) +([0-9.]+) +([0-9.]+) +([0-9.]+) ([0-9.]+)', out, re.M)
    require(len(rows) == 4 and all(r[1] == r[2] and r[3] == r[4] for r in rows),
            f'the straight and resumed losses differ: {rows}')
    require(float(rows[3][1]) < float(rows[0][1]), 'the loss did not go down')
    printed(out, r'every figure equal: yes')
    printed(out, r'weights hash: straight ([0-9a-f]{16}), resumed \1; max \|difference\| 0')
    printed(out, r'everything \(resume_from\) +[0-9.]+ +[0-9.]+ +0')
    for rung in [r"all but the optimizer's state", r"all but the loader's order",
                 r'the weights only \(nn::load\)']:
        printed(out, rung + r' +[0-9.]+ +[0-9.]+ +[1-9]\.[0-9]e-0[0-9]')
    # What the checkpoint holds, as printed and as the file says.
    printed(out, r'optimizer\.0\.m +\[128, 784\]')
    printed(out, r'ember +training checkpoint 1')
    header = safetensors_header(folder / 'checkpoint.safetensors')
    require(header['__metadata__']['epoch'] == '4' and header['__metadata__']['optimizer'] == 'Adam',
            'checkpoint.safetensors does not hold epoch 4 of Adam')
    require({'model.1.weight', 'optimizer.3.v'} <= set(header), 'checkpoint.safetensors lacks tensors')
    # Each bad file refused, naming it and why.
    for file, why in [('damaged', 'the checksum does not match'),
                      ('checkpoint', "tensor '1.weight' has shape \\[128, 784\\] in the state but "
                                     "\\[256, 784\\]"),
                      ('model', 'not a training checkpoint'),
                      ('checkpoint', "missing tensor\\(s\\) '1.weight'")]:
        printed(out, r"  load(_training_checkpoint:)? '" + re.escape(str(folder)) + '/' + file +
                r"\.safetensors'.*" + why + '.*')
    if have_numpy():
        printed(out, re.escape('  np.load("1.weight.npy") equals it: True'))
        m = re.search(r"numpy logits against ember's: max \|difference\| (\S+), same predictions: True",
                      out)
        require(m and float(m.group(1)) < 1e-4, 'numpy does not compute ember\'s logits')
        printed(out, r'  checkpoint\.safetensors: 12 tensors, epoch 4, .*')
    else:
        printed(out, r'python3 with numpy not found .*: read_weights\.py not run')
    # The chart: the resumed curve lies on the straight one, the others start
    # at the same point (epoch 3's first batches) and leave it.
    curves = series(folder / 'resume-loss.svg')
    require(len(curves) == 5, f'resume-loss.svg draws {list(curves)}')
    straight, resumed, *partial = curves.values()
    require(len(straight) == 32 and resumed[16:] == straight[16:] and
            all(math.isnan(v) for v in resumed[:16]), 'resume-loss.svg: the resumed curve is not the straight one')
    require(all(p[16:] != straight[16:] for p in partial), 'resume-loss.svg: a partial resume equals the straight run')
    # results.csv and report.html: the resumed run's hash is the straight run's,
    # the partial resumes' are not and their weights differ.
    with open(folder / 'results.csv') as f:
        results = list(csv.reader(f))
    require(results[0] == ['run', 'weights hash', 'same hash as straight', "last epoch's loss",
                           'max |weights - straight|'] and len(results) == 6,
            f'results.csv has {len(results)} lines: {results}')
    straight_row, everything, *partial_rows = results[1:]
    require(straight_row[0] == 'straight (never stopped)' and everything[0] == 'everything (resume_from)'
            and everything[1] == straight_row[1] and everything[2] == 'yes' and everything[3] == straight_row[3]
            and float(everything[4]) == 0, f'results.csv: the resumed run is not the straight one: {results}')
    require(straight_row[3] == rows[3][1], f'results.csv: last loss {straight_row[3]}, printed {rows[3][1]}')
    require(all(r[2] == 'no' and r[1] != straight_row[1] and 1e-9 < float(r[4]) < 1 for r in partial_rows),
            f'results.csv: a partial resume is the straight run: {partial_rows}')
    page = report(folder / 'report.html')
    require([r[:3] for r in table_rows(page)[1:]] == [r[:3] for r in results[1:]],
            'report.html\'s table is not results.csv\'s')
    charts = list(page.iter(SVG + 'svg'))
    require(len(charts) == 1 and 'the weights only' in texts(charts[0]),
            f'report.html has {len(charts)} inline charts, expected resume-loss.svg')
    marked(folder, ['model.safetensors', '1.weight.npy', '1.bias.npy', '3.weight.npy', '3.bias.npy',
                    'checkpoint.safetensors', 'weights-epoch2.safetensors', 'resume-loss.svg',
                    'damaged.safetensors', 'images.npy', 'labels.npy', 'logits.npy', 'results.md',
                    'results.csv', 'report.html'])


CHECKS = {'01-tensors': check_01_tensors, '02-broadcasting': check_02_broadcasting,
          '03-autograd': check_03_autograd, '04-logistic-regression': check_04_logistic_regression,
          '05-mlp-initialization': check_05_mlp_initialization,
          '06-convolution': check_06_convolution, '07-custom-layer': check_07_custom_layer,
          '08-optimizers': check_08_optimizers, '09-checkpoints': check_09_checkpoints}


def main():
    chapter, program, folder = sys.argv[1], str(Path(sys.argv[2]).resolve()), Path(sys.argv[3])
    start = time.monotonic()
    r = subprocess.run([program, '--quick', '--output', str(folder), '--overwrite'],
                       capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - start
    print(r.stdout)
    try:
        require(r.returncode == 0, f'exit code {r.returncode}: {r.stderr}')
        require(seconds < QUICK_SECONDS, f'took {seconds:.1f} s; --quick must finish in {QUICK_SECONDS}')
        printed(r.stdout, r'total time: [0-9.]+ s')
        CHECKS[chapter](r.stdout, folder)
    except Failed as e:
        print(f'{chapter}: {e}', file=sys.stderr)
        return 1
    print(f'{chapter}: ok ({seconds:.1f} s)')
    return 0


if __name__ == '__main__':
    sys.exit(main())

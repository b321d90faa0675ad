#!/usr/bin/env python3
"""Reference outputs for the image-processing modules, computed with OpenCV and
scikit-image (Debian's python3-opencv / python3-skimage), independently of our
TypeScript code. Writes src/engine/modules/__fixtures__/reference.json, which
src/engine/modules/reference.test.ts compares against with per-case tolerances.

Regenerate:  /usr/bin/python3 tools/reference/generate.py
(needs: apt-get install python3-opencv python3-skimage)
"""
import json
import os
import sys

import cv2
import numpy as np
import skimage
from skimage import exposure, transform, util
from skimage.filters import threshold_otsu

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'engine', 'modules', '__fixtures__', 'reference.json')


def phantoms():
    rng = np.random.RandomState(20261123)
    h, w = 20, 24
    yy, xx = np.mgrid[0:h, 0:w]
    disc = (xx - 11.3) ** 2 + (yy - 9.6) ** 2 < 40
    g8 = np.clip(30 + 4 * xx + 2 * yy + 90 * disc + rng.normal(0, 12, (h, w)), 0, 255).round().astype(np.uint8)
    g16 = np.clip(300 + 60 * xx + 25 * yy + 1800 * disc + rng.normal(0, 150, (h, w)), 0, 4095).round().astype(np.uint16)
    f32 = (np.sin(xx / 3.0) * np.cos(yy / 4.0) + 0.5 * disc + rng.normal(0, 0.05, (h, w))).astype(np.float32)
    rgb8 = rng.randint(0, 256, (10, 12, 3)).astype(np.uint8)
    return {'g8': g8, 'g16': g16, 'f32': f32, 'rgb8': rgb8}


def enc(a):
    a = np.asarray(a)
    shape = list(a.shape) if a.ndim == 3 else list(a.shape) + [1]
    dtype = {'uint8': 'uint8', 'uint16': 'uint16', 'int16': 'int16', 'float32': 'float32', 'float64': 'float32'}[str(a.dtype)]
    data = a.astype(np.float64).ravel().tolist() if dtype == 'float32' else a.ravel().astype(int).tolist()
    if dtype == 'float32':
        data = [float(f'{v:.7g}') for v in data]
    return {'dtype': dtype, 'shape': shape, 'data': data}


def main():
    P = phantoms()
    cases = []

    def case(name, input_name, module, params, expected, tol, ref, metric='max'):
        cases.append({'name': name, 'input': input_name, 'module': module, 'params': params,
                      'expected': enc(expected), 'tol': tol, 'metric': metric, 'reference': ref})

    interp = {'nearest': cv2.INTER_NEAREST_EXACT, 'bilinear': cv2.INTER_LINEAR, 'bicubic': cv2.INTER_CUBIC,
              'area': cv2.INTER_AREA}
    cv_name = {'nearest': 'NEAREST_EXACT', 'bilinear': 'LINEAR', 'bicubic': 'CUBIC', 'area': 'AREA'}
    for inp, (w, h), method, tol in [
        ('g8', (17, 13), 'bilinear', 1), ('g16', (37, 29), 'bilinear', 1), ('f32', (17, 13), 'bilinear', 1e-4),
        ('f32', (9, 11), 'bicubic', 1e-4), ('f32', (35, 31), 'bicubic', 1e-4), ('g16', (31, 27), 'bicubic', 1),
        ('g8', (9, 7), 'area', 1), ('g16', (12, 10), 'area', 1), ('f32', (7, 6), 'area', 1e-4), ('f32', (30, 26), 'area', 1e-4),
        ('g16', (31, 9), 'nearest', 0), ('g8', (10, 15), 'nearest', 0)]:
        out = cv2.resize(P[inp], (w, h), interpolation=interp[method])
        case(f'resize {method} {inp} -> {w}x{h}', inp, 'resize', {'width': w, 'height': h, 'interpolation': method}, out, tol,
             f'cv2.resize(INTER_{cv_name[method]})')

    case('color-to-grayscale rgb8', 'rgb8', 'color-to-grayscale', {}, cv2.cvtColor(P['rgb8'], cv2.COLOR_RGB2GRAY), 1,
         'cv2.cvtColor(COLOR_RGB2GRAY)')

    for inp, sigma, tol in [('g8', 1.5, 1), ('g16', 2.0, 1), ('f32', 1.0, 1e-4)]:
        case(f'gaussian-blur {inp} sigma {sigma}', inp, 'gaussian-blur', {'sigma': sigma},
             cv2.GaussianBlur(P[inp], (0, 0), sigma), tol, 'cv2.GaussianBlur(ksize=(0,0))')

    for inp, size in [('g8', 3), ('g8', 5), ('g16', 5), ('f32', 3)]:
        # Float fixtures are written with 7 significant digits: exact results get a 1e-6 tolerance.
        case(f'median {inp} {size}', inp, 'median', {'size': size}, cv2.medianBlur(P[inp], size),
             1e-6 if inp == 'f32' else 0, 'cv2.medianBlur')

    shapes = {'rect': cv2.MORPH_RECT, 'ellipse': cv2.MORPH_ELLIPSE, 'cross': cv2.MORPH_CROSS}
    ops = {'erode': cv2.MORPH_ERODE, 'dilate': cv2.MORPH_DILATE, 'open': cv2.MORPH_OPEN, 'close': cv2.MORPH_CLOSE,
           'gradient': cv2.MORPH_GRADIENT, 'tophat': cv2.MORPH_TOPHAT, 'blackhat': cv2.MORPH_BLACKHAT}
    for inp, op, shape, size, it in [
        ('g16', 'dilate', 'rect', 3, 1), ('g8', 'erode', 'ellipse', 5, 1), ('g8', 'open', 'cross', 3, 1),
        ('g8', 'close', 'rect', 5, 2), ('g8', 'gradient', 'ellipse', 7, 1), ('g16', 'tophat', 'rect', 5, 1),
        ('f32', 'blackhat', 'ellipse', 5, 1), ('g8', 'dilate', 'ellipse', 4, 1)]:
        k = cv2.getStructuringElement(shapes[shape], (size, size))
        out = cv2.morphologyEx(P[inp], ops[op], k, iterations=it)
        case(f'morphology {op} {shape} {size} x{it} {inp}', inp, 'morphology',
             {'operation': op, 'shape': shape, 'size': size, 'iterations': it}, out, 1e-6 if inp == 'f32' else 0,
             'cv2.morphologyEx')

    case('histogram-equalization g8', 'g8', 'histogram-equalization', {}, cv2.equalizeHist(P['g8']), 0, 'cv2.equalizeHist')

    for inp, clip, tiles in [('g8', 2.0, 4), ('g8', 3.0, 3), ('g8', 40.0, 2), ('g16', 3.0, 2), ('g16', 1000.0, 5)]:
        out = cv2.createCLAHE(clipLimit=clip, tileGridSize=(tiles, tiles)).apply(P[inp])
        case(f'clahe {inp} clip {clip} tiles {tiles}', inp, 'clahe', {'clipLimit': clip, 'tileGridSize': tiles}, out, 1,
             'cv2.createCLAHE().apply')

    t8, th8 = cv2.threshold(P['g8'], 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    case('threshold otsu g8', 'g8', 'threshold', {'method': 'otsu'}, th8, 0, f'cv2.threshold(THRESH_OTSU) = {t8}')
    t16 = threshold_otsu(P['g16'])
    case('threshold otsu g16', 'g16', 'threshold', {'method': 'otsu'}, (P['g16'] > t16).astype(np.uint16) * 65535, 0,
         f'skimage threshold_otsu = {t16}')
    _, fixed = cv2.threshold(P['g8'], 100, 255, cv2.THRESH_BINARY_INV)
    case('threshold fixed inverted g8', 'g8', 'threshold', {'method': 'fixed', 'value': 100, 'invert': True}, fixed, 0,
         'cv2.threshold(THRESH_BINARY_INV)')

    for inp, tol in [('g8', 1e-3), ('f32', 1e-4)]:
        gx = cv2.Sobel(P[inp].astype(np.float32), cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(P[inp].astype(np.float32), cv2.CV_32F, 0, 1, ksize=3)
        case(f'edge-detection sobel {inp}', inp, 'edge-detection', {'method': 'sobel'}, np.sqrt(gx * gx + gy * gy), tol,
             'cv2.Sobel magnitude')
    for low, high, l2 in [(60, 150, False), (40, 100, True)]:
        case(f'edge-detection canny g8 {low}/{high} l2={l2}', 'g8', 'edge-detection',
             {'method': 'canny', 'low': low, 'high': high, 'l2': l2},
             cv2.Canny(P['g8'], low, high, L2gradient=l2), 0.0, 'cv2.Canny', metric='mismatch')

    for inp, gamma, tol in [('g8', 0.5, 1), ('g16', 2.2, 1)]:
        out = exposure.adjust_gamma(P[inp], gamma)
        case(f'gamma-correction {inp} {gamma}', inp, 'gamma-correction', {'gamma': gamma}, out, tol,
             'skimage.exposure.adjust_gamma')

    case('invert g16', 'g16', 'invert', {}, util.invert(P['g16']), 0, 'skimage.util.invert')
    case('invert g8', 'g8', 'invert', {}, cv2.bitwise_not(P['g8']), 0, 'cv2.bitwise_not')
    case('min-max-normalization g16', 'g16', 'min-max-normalization', {'min': -1, 'max': 1},
         cv2.normalize(P['g16'], None, -1, 1, cv2.NORM_MINMAX, cv2.CV_32F), 1e-6, 'cv2.normalize(NORM_MINMAX)')
    g = P['g16'].astype(np.float64)
    case('z-score-normalization g16', 'g16', 'z-score-normalization', {}, ((g - g.mean()) / g.std()).astype(np.float32),
         1e-5, 'numpy (x - mean) / std')
    blur = cv2.GaussianBlur(P['f32'], (0, 0), 1.5)
    case('unsharp-mask f32', 'f32', 'unsharp-mask', {'sigma': 1.5, 'amount': 0.8}, P['f32'] + 0.8 * (P['f32'] - blur), 1e-4,
         'x + amount (x - cv2.GaussianBlur)')
    for mode, np_mode in [('reflect', 'reflect'), ('symmetric', 'symmetric'), ('edge', 'edge')]:
        out = np.pad(P['g8'], ((3, 1), (2, 4)), mode=np_mode)
        case(f'pad {mode} g8', 'g8', 'pad', {'top': 3, 'bottom': 1, 'left': 2, 'right': 4, 'mode': mode}, out, 0,
             f'numpy.pad(mode={np_mode})')
    case('rotate-90 cw rgb8', 'rgb8', 'rotate-90', {'direction': 'cw'}, np.rot90(P['rgb8'], k=-1), 0, 'numpy.rot90(k=-1)')
    case('rotate-90 ccw g16', 'g16', 'rotate-90', {'direction': 'ccw'}, np.rot90(P['g16'], k=1), 0, 'numpy.rot90(k=1)')
    case('flip vertical g16', 'g16', 'flip', {'axis': 'vertical'}, cv2.flip(P['g16'], 0), 0, 'cv2.flip(0)')
    case('flip horizontal rgb8', 'rgb8', 'flip', {'axis': 'horizontal'}, cv2.flip(P['rgb8'], 1), 0, 'cv2.flip(1)')

    # Affine warp (bilinear, constant 0 outside): scikit-image's float warp, forward matrix given to our code.
    m = cv2.getRotationMatrix2D(((24 - 1) / 2, (20 - 1) / 2), 17.0, 1.15)
    m[0, 2] += 1.3
    m[1, 2] -= 0.7
    fwd = np.vstack([m, [0, 0, 1]])
    warped = transform.warp(P['f32'].astype(np.float64), inverse_map=np.linalg.inv(fwd), order=1, mode='constant', cval=0,
                            preserve_range=True)
    cases.append({'name': 'warp affine bilinear f32', 'input': 'f32', 'op': 'warpAffine', 'matrix': m.ravel().tolist(),
                  'params': {}, 'expected': enc(warped.astype(np.float32)), 'tol': 1e-4, 'metric': 'max',
                  'reference': 'skimage.transform.warp(order=1, mode=constant)'})

    doc = {
        'generator': 'tools/reference/generate.py',
        'versions': {'opencv': cv2.__version__, 'skimage': skimage.__version__, 'numpy': np.__version__},
        'inputs': {k: enc(v) for k, v in P.items()},
        'cases': cases,
    }
    with open(OUT, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
    print(f'wrote {len(cases)} cases to {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)', file=sys.stderr)


if __name__ == '__main__':
    main()

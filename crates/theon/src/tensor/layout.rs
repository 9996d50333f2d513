//! Shape and stride arithmetic shared by tensor views and kernels.

/// C-order (row-major) strides, in elements, for `shape`.
pub fn c_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut acc = 1isize;
    for (s, &d) in strides.iter_mut().zip(shape).rev() {
        *s = acc;
        acc *= d.max(1) as isize;
    }
    strides
}

/// Number of elements of `shape` (1 for a scalar).
pub fn size_of(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Visits the element offsets of a strided layout in C order.
pub struct Offsets<'a> {
    shape: &'a [usize],
    strides: &'a [isize],
    index: Vec<usize>,
    next: Option<isize>,
}

impl<'a> Offsets<'a> {
    pub fn new(shape: &'a [usize], strides: &'a [isize], offset: isize) -> Self {
        let empty = shape.contains(&0);
        Offsets {
            shape,
            strides,
            index: vec![0; shape.len()],
            next: if empty { None } else { Some(offset) },
        }
    }
}

impl Iterator for Offsets<'_> {
    type Item = isize;

    fn next(&mut self) -> Option<isize> {
        let current = self.next?;
        let mut pos = current;
        let mut axis = self.shape.len();
        loop {
            if axis == 0 {
                self.next = None;
                break;
            }
            axis -= 1;
            self.index[axis] += 1;
            pos += self.strides[axis];
            if self.index[axis] < self.shape[axis] {
                self.next = Some(pos);
                break;
            }
            pos -= self.strides[axis] * self.shape[axis] as isize;
            self.index[axis] = 0;
        }
        Some(current)
    }
}

/// The C-order multi-index of flat position `flat` in `shape`.
pub fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (i, &d) in shape.iter().enumerate().rev() {
        if d > 0 {
            index[i] = flat % d;
            flat /= d;
        }
    }
    index
}

/// NumPy broadcasting of runtime shapes; `None` when they are incompatible.
pub fn broadcast_shapes(shapes: &[&[usize]]) -> Option<Vec<usize>> {
    let ndim = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1usize; ndim];
    for shape in shapes {
        let pad = ndim - shape.len();
        for (i, &d) in shape.iter().enumerate() {
            let o = &mut out[pad + i];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                return None;
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_walk_c_order() {
        let shape = [2, 3];
        let strides = [1, 2]; // a transposed 3x2
        let got: Vec<isize> = Offsets::new(&shape, &strides, 0).collect();
        assert_eq!(got, vec![0, 2, 4, 1, 3, 5]);
        assert_eq!(Offsets::new(&[0, 3], &[3, 1], 0).count(), 0);
        assert_eq!(Offsets::new(&[], &[], 5).collect::<Vec<_>>(), vec![5]);
    }

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast_shapes(&[&[3, 1], &[4]]), Some(vec![3, 4]));
        assert_eq!(broadcast_shapes(&[&[2, 3], &[3, 2]]), None);
        assert_eq!(broadcast_shapes(&[&[0, 1], &[1, 5]]), Some(vec![0, 5]));
    }
}

import Foundation

/// The exponential moving average of a student's parameters kept by a teacher (Mean Teacher):
/// theta_t = a theta_t + (1 - a) theta_s with a = min(1 - 1/(it + 1), alpha); parameters only
/// (the teacher's BatchNorm statistics are its own, as in SSL4MIS).
public enum ExponentialMovingAverage {
    /// Updates `teacher` from `student` (same architecture) at global iteration `iteration`
    /// (0 for the first update, which copies the student).
    public static func update(teacher: any Module, student: any Module, alpha: Float = 0.99, iteration: Int) {
        let a = min(1 - 1 / Float(iteration + 1), alpha)
        let (mine, theirs) = (teacher.parameters, student.parameters)
        precondition(mine.count == theirs.count, "EMA: teacher has \(mine.count) parameters, student \(theirs.count)")
        for (t, s) in zip(mine, theirs) {
            precondition(t.name == s.name && t.value.shape == s.value.shape, "EMA: \(t.name) vs \(s.name)")
            t.value.scalars.withUnsafeMutableBufferPointer { tp in
                s.value.scalars.withUnsafeBufferPointer { sp in
                    for i in tp.indices { tp[i] = a * tp[i] + (1 - a) * sp[i] }
                }
            }
        }
    }
}

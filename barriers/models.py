# Barrier, ResearchStudy and their workflow arrive with the barriers issue.

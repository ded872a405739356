"""FHIR R4 export: worksheet definitions as Questionnaires, sent answers as QuestionnaireResponses."""
